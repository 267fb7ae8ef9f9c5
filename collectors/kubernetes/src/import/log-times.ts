import type { RawObject } from '../kube-api';
import { rfc3339Nanos } from '../pod-logs';
import { containerResource, podInfo, type ContainerInfo, type PodInfo } from '../pods';
import type { DumpLogSection } from './dump-reader';

/** A container's run as its status tells it, epoch ms; undefined ends are unknown. */
interface Run {
  startMs: number | undefined;
  endMs: number | undefined;
  /** The run is lastState's: the container waits to restart, so its log is the `previous` one. */
  previous: boolean;
}

interface RawRun {
  startedAt?: unknown;
  finishedAt?: unknown;
}

interface RawStatus {
  name?: unknown;
  state?: { running?: RawRun; terminated?: RawRun };
  lastState?: { terminated?: RawRun };
}

/** What the import keeps of a pod to place its containers' logs: far less than the pod. */
interface IndexedPod {
  info: PodInfo | undefined;
  /** spec.containers' names (init containers left out), for a log file that names none. */
  containers: string[];
  runs: Map<string, Run>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object entries of a list; nothing when it is not one. */
const objects = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);

/**
 * The pod with the parts podInfo walks made the shapes the API server serves (lists of objects,
 * objects): a dump is a file anyone may have edited, and one odd pod must not stop the import.
 */
function wellFormed(pod: RawObject): RawObject {
  const md = pod.metadata ?? {};
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  const status = isObject(pod['status']) ? pod['status'] : {};
  return {
    ...pod,
    metadata: {
      ...md,
      labels: isObject(md['labels']) ? md['labels'] : {},
      ownerReferences: objects(md['ownerReferences']),
    },
    spec: { ...spec, containers: objects(spec['containers']) },
    status: {
      ...status,
      containerStatuses: objects(status['containerStatuses']),
      initContainerStatuses: objects(status['initContainerStatuses']),
    },
  };
}

const ms = (v: unknown): number | undefined => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/**
 * The run whose log kubectl dumped: the running instance's, else the terminated one's. A container
 * waiting to restart (CrashLoopBackOff) has no current instance: the kubelet serves the last
 * terminated one's log, so that is the run.
 */
function runOf(s: RawStatus): Run | undefined {
  const current = s.state?.running ?? s.state?.terminated;
  const r = current ?? s.lastState?.terminated;
  if (!r) return undefined;
  return { startMs: ms(r.startedAt), endMs: ms(r.finishedAt), previous: current === undefined };
}

/** Where a section's lines go, or why they cannot go anywhere. */
export type Placement =
  | {
      ok: true;
      /** The container's OpenTelemetry resource attributes. */
      resource: Record<string, string | number>;
      /** Time of line i without a timestamp: startMs + stepMs * i. */
      startMs: number;
      stepMs: number;
      /**
       * The lines are a terminated instance's while the container waits to restart
       * (CrashLoopBackOff): what `kubectl logs --previous` shows, where a crash's reason is.
       */
      previous: boolean;
    }
  | { ok: false; reason: string };

/** The pods of a dump, by namespace/name, as the import meets them. */
export class PodIndex {
  private readonly pods = new Map<string, IndexedPod>();

  add(raw: RawObject): void {
    const pod = wellFormed(raw);
    const md = pod.metadata ?? {};
    const spec = (pod['spec'] ?? {}) as { containers?: unknown };
    const status = (pod['status'] ?? {}) as { containerStatuses?: unknown; initContainerStatuses?: unknown };
    const runs = new Map<string, Run>();
    for (const s of [...objects(status.initContainerStatuses), ...objects(status.containerStatuses)]) {
      const run = runOf(s);
      if (typeof s['name'] === 'string' && run) runs.set(s['name'], run);
    }
    const containers = objects(spec.containers)
      .map((c) => c['name'])
      .filter((n): n is string => typeof n === 'string');
    this.pods.set(`${md.namespace ?? ''}/${md.name ?? ''}`, { info: podInfo(pod), containers, runs });
  }

  /**
   * Where a section's lines go: the container's resource attributes (its pod's uid, node and
   * workload when the pod is in the dump) and the times of lines that carry none, spread evenly in
   * order over the container's run, which ends when it finished or else when the dump was written.
   */
  place(cluster: string, log: DumpLogSection): Placement {
    const pod = this.pods.get(`${log.namespace}/${log.pod}`);
    let name = log.container;
    if (name === undefined) {
      if (pod === undefined)
        return {
          ok: false,
          reason: `no container named and pod ${log.namespace}/${log.pod} is not in the dump`,
        };
      if (pod.containers.length !== 1)
        return {
          ok: false,
          reason: `no container named and pod ${log.namespace}/${log.pod} has ${pod.containers.length}`,
        };
      name = pod.containers[0] ?? '';
    }
    const info = pod?.info;
    const container: ContainerInfo = info?.containers.find((c) => c.name === name) ?? {
      name,
      restartCount: 0,
      running: undefined,
      terminated: undefined,
    };
    const resource = info
      ? containerResource(cluster, info, container)
      : {
          'k8s.cluster.name': cluster,
          'k8s.namespace.name': log.namespace,
          'k8s.pod.name': log.pod,
          'k8s.container.name': name,
        };
    const run = pod?.runs.get(name);
    const endMs = run?.endMs ?? log.fileMs;
    // Without a start, one line a second up to the end: the order holds, the spread is a guess.
    const startMs = Math.min(run?.startMs ?? endMs - Math.max(0, log.total - 1) * 1000, endMs);
    const stepMs = log.total > 1 ? (endMs - startMs) / (log.total - 1) : 0;
    return { ok: true, resource, startMs, stepMs, previous: run?.previous ?? false };
  }
}

/**
 * A line's time and text: a line that begins with an RFC 3339 time (a dump taken from logs with
 * timestamps) keeps that time, without it in the text; the others get the placement's, by position.
 */
export function lineTime(
  line: string,
  index: number,
  placement: { startMs: number; stepMs: number },
): { nanos: bigint; text: string; assigned: boolean } {
  const space = line.indexOf(' ');
  const read = space > 0 ? rfc3339Nanos(line.slice(0, space)) : undefined;
  if (read !== undefined) return { nanos: read, text: line.slice(space + 1), assigned: false };
  const ms = Math.round(placement.startMs + placement.stepMs * index);
  return { nanos: BigInt(ms) * 1_000_000n, text: line, assigned: true };
}
