import type { Logger } from '@sleuth/core';
import { keyValues, type JsonObject } from '@sleuth/pipeline';
import { sleep } from './backoff';
import type { OtlpSender } from './collector';
import { KubeApiError, type KubeApi } from './kube-api';
import { containerResource, type PodInfo } from './pods';
import { COLLECTOR_SCOPE } from './records';

export interface UsageOptions {
  /** How often metrics-server is asked (it refreshes every 15-60 s itself). */
  intervalMs: number;
  /** How long before asking again when metrics.k8s.io is missing or forbidden. */
  deniedRetryMs: number;
}

export const DEFAULT_USAGE_OPTIONS: UsageOptions = { intervalMs: 30_000, deniedRetryMs: 300_000 };

/** Resource usage collection as /api/v1/clusters shows it. */
export interface UsageStatus {
  /**
   * `unavailable`: the cluster serves no metrics.k8s.io (no metrics-server), which is allowed;
   * `forbidden`: the service account may not list it; `failing`: the last scrape failed.
   */
  state: 'starting' | 'ok' | 'unavailable' | 'forbidden' | 'failing' | 'off';
  lastScrapeMs?: number;
  pods: number;
  nodes: number;
  error?: string;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("250m", "1234567n", "128Mi", "1.5Gi", "1e3") as a number; undefined if not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(
    q.trim(),
  );
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * 10 ** Number(m[2].slice(1));
  return n * (SUFFIX[m[3] ?? ''] ?? 1);
}

interface RawUsage {
  cpu?: unknown;
  memory?: unknown;
}

interface PodMetrics {
  metadata?: { name?: unknown; namespace?: unknown };
  timestamp?: unknown;
  containers?: { name?: unknown; usage?: RawUsage }[];
}

interface NodeMetrics {
  metadata?: { name?: unknown };
  timestamp?: unknown;
  usage?: RawUsage;
}

function gauge(name: string, unit: string, description: string, value: number, nanos: string): JsonObject {
  return { name, unit, description, gauge: { dataPoints: [{ timeUnixNano: nanos, asDouble: value }] } };
}

const nanosOf = (ts: unknown, fallbackMs: number): string => {
  const ms = typeof ts === 'string' ? Date.parse(ts) : NaN;
  return (BigInt(Number.isNaN(ms) ? fallbackMs : ms) * 1_000_000n).toString();
};

/**
 * Polls metrics-server (metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics) and sends the usage as
 * OTLP gauges: `container_cpu_usage_cores`, `container_memory_working_set_bytes` per container (with
 * the pod's k8s.* attributes, owner included) and `node_cpu_usage_cores`,
 * `node_memory_working_set_bytes` per node. A cluster without metrics-server is reported
 * `unavailable` and asked again later; nothing else depends on it.
 */
export class ResourceUsage {
  private stat: UsageStatus = { state: 'starting', pods: 0, nodes: 0 };

  constructor(
    private readonly api: KubeApi,
    private readonly cluster: string,
    private readonly sender: OtlpSender,
    /** The pods the collector knows, by `namespace/name`, for their owners and node. */
    private readonly pods: (namespace: string, name: string) => PodInfo | undefined,
    private readonly opts: UsageOptions,
    private readonly log: Logger,
  ) {}

  snapshot(): UsageStatus {
    return { ...this.stat };
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let wait = this.opts.intervalMs;
      try {
        if (await this.api.serves('metrics.k8s.io', 'v1beta1', signal)) {
          await this.scrape(signal);
        } else {
          if (this.stat.state !== 'unavailable') {
            this.log.info('metrics.k8s.io is not served (no metrics-server): no resource usage');
          }
          this.stat = { state: 'unavailable', pods: 0, nodes: 0 };
          wait = this.opts.deniedRetryMs;
        }
      } catch (err) {
        if (signal.aborted) return;
        const message = err instanceof Error ? err.message : String(err);
        const forbidden = err instanceof KubeApiError && err.status === 403;
        if (this.stat.state !== (forbidden ? 'forbidden' : 'failing')) {
          this.log.warn({ err: message }, 'resource usage from metrics.k8s.io failed');
        }
        this.stat = { ...this.stat, state: forbidden ? 'forbidden' : 'failing', error: message };
        if (forbidden) wait = this.opts.deniedRetryMs;
      }
      await sleep(wait, signal);
    }
  }

  private async scrape(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const podList = (await this.api.get('/apis/metrics.k8s.io/v1beta1/pods', {}, signal)) as {
      items?: unknown;
    };
    const nodeList = (await this.api.get('/apis/metrics.k8s.io/v1beta1/nodes', {}, signal)) as {
      items?: unknown;
    };
    const resourceMetrics: JsonObject[] = [];
    const add = (attrs: Record<string, string | number>, metrics: JsonObject[]): void => {
      if (metrics.length === 0) return;
      resourceMetrics.push({
        resource: { attributes: keyValues(attrs) },
        scopeMetrics: [{ scope: COLLECTOR_SCOPE, metrics }],
      });
    };
    const podItems = Array.isArray(podList.items) ? (podList.items as PodMetrics[]) : [];
    for (const pm of podItems) {
      const namespace = pm.metadata?.namespace;
      const name = pm.metadata?.name;
      if (typeof namespace !== 'string' || typeof name !== 'string') continue;
      const nanos = nanosOf(pm.timestamp, now);
      const pod = this.pods(namespace, name);
      for (const c of pm.containers ?? []) {
        if (typeof c.name !== 'string') continue;
        const info = pod?.containers.find((x) => x.name === c.name);
        const attrs = pod
          ? containerResource(
              this.cluster,
              pod,
              info ?? { name: c.name, restartCount: 0, running: undefined, terminated: undefined },
            )
          : {
              'k8s.cluster.name': this.cluster,
              'k8s.namespace.name': namespace,
              'k8s.pod.name': name,
              'k8s.container.name': c.name,
            };
        add(attrs, this.usageGauges('container', c.usage, nanos));
      }
    }
    const nodeItems = Array.isArray(nodeList.items) ? (nodeList.items as NodeMetrics[]) : [];
    for (const nm of nodeItems) {
      const name = nm.metadata?.name;
      if (typeof name !== 'string') continue;
      add(
        { 'k8s.cluster.name': this.cluster, 'k8s.node.name': name },
        this.usageGauges('node', nm.usage, nanosOf(nm.timestamp, now)),
      );
    }
    if (resourceMetrics.length > 0) await this.sender.send('metrics', { resourceMetrics }, { signal });
    this.stat = { state: 'ok', lastScrapeMs: now, pods: podItems.length, nodes: nodeItems.length };
  }

  private usageGauges(
    prefix: 'container' | 'node',
    usage: RawUsage | undefined,
    nanos: string,
  ): JsonObject[] {
    const out: JsonObject[] = [];
    const cpu = parseQuantity(usage?.cpu);
    const memory = parseQuantity(usage?.memory);
    if (cpu !== undefined) {
      out.push(
        gauge(`${prefix}_cpu_usage_cores`, '{cpu}', 'CPU in use (metrics-server window average)', cpu, nanos),
      );
    }
    if (memory !== undefined) {
      out.push(
        gauge(
          `${prefix}_memory_working_set_bytes`,
          'By',
          'Working set memory (metrics-server)',
          memory,
          nanos,
        ),
      );
    }
    return out;
  }
}
