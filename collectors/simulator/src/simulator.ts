import { UnavailableError, ValidationError, type Component, type Logger } from '@sleuth/core';
import { z } from 'zod';
import { SimClock } from './clock';
import { FaultManager } from './faults/fault-manager';
import type { FaultRecord } from './faults/fault-schema';
import { defaultFleet } from './fleet/clusters';
import type { ClusterSpec } from './fleet/types';
import { summariseFleet, type FleetSummary } from './fleet-summary';
import { buildCluster } from './model/fleet-builder';
import { ClusterApis, type ClusterApiEndpoint } from './kube-api/cluster-apis';
import { SCOPES } from './model/outbox';
import type { ClusterRuntime } from './model/runtime';
import { buildLogsRequests, buildMetricsRequests, buildTracesRequests } from './otlp/requests';
import type { OtlpSignal } from './otlp/types';
import { Rng } from './random';
import { StatsCounter, type SimulatorStats } from './stats';
import { runTick, type ClusterTickOutput } from './tick';
import { OtlpExportError, type OtlpExportRequest, type OtlpTransport } from './transport/otlp-transport';

/** Tunables of the simulator; every field but `seed` has a default. */
export const SimulatorSettings = z
  .object({
    seed: z.number().int().describe('Same seed, start time and steps give byte-identical requests.'),
    speed: z.number().positive().max(10_000).default(1).describe('Simulated seconds per real second.'),
    tickSeconds: z.number().min(1).max(300).default(5).describe('Simulated seconds between emissions.'),
    startMs: z.number().nonnegative().optional().describe('Simulated start, epoch ms; default now.'),
    traceSampleRatio: z.number().min(0).max(1).default(0.25).describe('Share of end-user requests traced.'),
    resyncSeconds: z.number().positive().default(300).describe('Simulated seconds between object resyncs.'),
    maxRecordsPerRequest: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('Most records in one export request.'),
  })
  .strict();

/** Options of {@link Simulator}. */
export type SimulatorOptions = z.input<typeof SimulatorSettings> & {
  /** Where export requests go: HTTP to a Sleuth server, or in memory in tests. */
  transport: OtlpTransport;
  logger?: Logger;
  /** The clusters to simulate; default the two-region shop ({@link defaultFleet}). */
  fleet?: ClusterSpec[];
  /**
   * Serve each cluster's objects and events as a Kubernetes API (see {@link Simulator.kubernetesApis})
   * instead of exporting them as k8sobjects/k8sevents log records. Default false.
   */
  serveKubernetesApis?: boolean;
};

/** How long `stop` lets exports in flight finish before aborting them. */
const STOP_GRACE_MS = 5000;

/** Largest step taken per timer wake-up when catching up, in ticks. */
const TICKS_PER_WAKE = 20;

/**
 * The simulated Kubernetes fleet. It produces what OpenTelemetry Collectors in each cluster would
 * export (container logs, Kubernetes events and objects as logs, Prometheus-style metrics, traces)
 * and delivers it only through its {@link OtlpTransport}. `start` runs it against the wall clock at
 * `speed`; tests drive it with `step`. Faults are injected with `injectFault`. `stop` is idempotent.
 */
export class Simulator implements Component {
  private readonly settings: z.output<typeof SimulatorSettings>;
  private readonly transport: OtlpTransport;
  private readonly logger: Logger | undefined;
  private readonly clock: SimClock;
  private readonly clusters: ClusterRuntime[];
  private readonly faults: FaultManager;
  private readonly counter = new StatsCounter();
  private readonly abort = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private loopRun: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private realBase = 0;
  private simBase = 0;
  private warnedBehind = false;
  private readonly serveApis: boolean;
  private apis: ClusterApis | undefined;

  constructor(options: SimulatorOptions) {
    const { transport, logger, fleet, serveKubernetesApis, ...rest } = options;
    this.serveApis = serveKubernetesApis ?? false;
    const parsed = SimulatorSettings.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.join('.') || 'options';
      throw new ValidationError(`Invalid simulator option ${key}: ${issue?.message ?? 'invalid'}.`, { key });
    }
    this.settings = parsed.data;
    this.transport = transport;
    this.logger = logger;
    const startMs = this.settings.startMs ?? Date.now();
    this.clock = new SimClock(startMs, this.settings.tickSeconds * 1000);
    const rng = new Rng(this.settings.seed);
    this.clusters = (fleet ?? defaultFleet()).map((spec) =>
      buildCluster(rng, spec, startMs, this.settings.traceSampleRatio),
    );
    this.faults = new FaultManager(this.clusters, () => this.clock.nowMs());
  }

  /**
   * Starts the clusters' Kubernetes API servers (with `serveKubernetesApis`), so a collector can
   * list them before the first tick; `start` and `step` call it when needed.
   */
  async startKubernetesApis(): Promise<ClusterApiEndpoint[]> {
    if (!this.serveApis) return [];
    this.apis ??= await ClusterApis.start(
      this.clusters.map((c) => c.name),
      this.logger,
    );
    return this.apis.endpoints();
  }

  /** Where each cluster's Kubernetes API listens (empty unless `serveKubernetesApis`). */
  kubernetesApis(): ClusterApiEndpoint[] {
    return this.apis?.endpoints() ?? [];
  }

  /** Runs the fleet against the wall clock at `speed` until `stop` (or `signal` aborts). */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started || this.stopped) return;
    await this.startKubernetesApis();
    this.started = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.realBase = Date.now();
    this.simBase = this.clock.nowMs();
    this.schedule(0);
  }

  /**
   * Stops taking new ticks and lets the current tick's exports finish, aborting them (and their
   * retries) after `STOP_GRACE_MS`. Safe to call twice or without start.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const grace = setTimeout(() => this.abort.abort(), STOP_GRACE_MS);
    this.stopping = (async () => {
      await this.loopRun;
      await this.queue;
      clearTimeout(grace);
      await this.apis?.stop();
    })();
    return this.stopping;
  }

  /**
   * Advances simulated time by `simulatedMs`, emitting every tick that completes on the way, and
   * resolves when their requests were handed to the transport. Calls are serialised.
   */
  step(simulatedMs: number): Promise<void> {
    if (this.stopped) return Promise.reject(new UnavailableError('The simulator is stopped.'));
    const run = this.queue.then(async () => {
      await this.startKubernetesApis();
      await this.advance(simulatedMs);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Injects a fault starting now (simulated time); see {@link FaultManager.inject} for errors. */
  injectFault(request: unknown): FaultRecord {
    return this.faults.inject(request);
  }

  /** Every fault injected, newest first. */
  listFaults(): FaultRecord[] {
    return this.faults.list();
  }

  /** Ends a fault early; NotFoundError for an unknown id. */
  clearFault(id: string): FaultRecord {
    return this.faults.clear(id);
  }

  /** The fleet's clusters, namespaces and workloads. */
  fleet(): FleetSummary {
    return summariseFleet(this.clusters);
  }

  /** What has been produced and delivered so far. */
  stats(): SimulatorStats {
    const c = this.counter;
    return {
      simulatedNowMs: this.clock.nowMs(),
      ticks: c.ticks,
      requestsSent: c.requestsSent,
      requestsFailed: c.requestsFailed,
      records: { ...c.records },
      recordsDropped: { ...c.recordsDropped },
      failures: { ...c.failures },
      activeSeries: this.clusters.reduce((n, rt) => n + rt.metrics.size(), 0),
      activeFaults: this.faults.list().filter((f) => f.status === 'active').length,
      droppedJobs: this.clusters.reduce((n, rt) => n + rt.state.droppedJobs, 0),
    };
  }

  /** The current simulated time, epoch ms. */
  nowMs(): number {
    return this.clock.nowMs();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.loopRun = this.wake();
    }, delayMs);
  }

  private async wake(): Promise<void> {
    const tickMs = this.settings.tickSeconds * 1000;
    let behind = this.simBase + (Date.now() - this.realBase) * this.settings.speed - this.clock.nowMs();
    if (behind > 60 * tickMs) {
      // Cannot keep up at this speed: run as fast as possible instead of piling up work.
      if (!this.warnedBehind)
        this.logger?.warn(
          { speed: this.settings.speed },
          'simulator cannot keep up with its speed; running as fast as it can',
        );
      this.warnedBehind = true;
      this.realBase = Date.now();
      this.simBase = this.clock.nowMs();
      behind = tickMs;
    }
    const ms = Math.min(behind, TICKS_PER_WAKE * tickMs);
    if (ms > 0) {
      try {
        await this.step(ms);
      } catch (err) {
        if (!this.stopped) this.logger?.error({ err }, 'simulator tick failed');
      }
    }
    this.schedule(behind - ms >= tickMs ? 0 : Math.max(20, tickMs / this.settings.speed));
  }

  private async advance(simulatedMs: number): Promise<void> {
    const resyncMs = this.settings.resyncSeconds * 1000;
    for (const window of this.clock.advance(simulatedMs)) {
      if (this.stopped) return;
      const since = (t: number): number => Math.floor((t - this.clock.startMs) / resyncMs);
      const bootstrap = this.counter.ticks === 0;
      const outputs = runTick(this.clusters, this.faults, window, {
        bootstrap,
        resync: !bootstrap && since(window.toMs) > since(window.fromMs),
      });
      this.counter.ticks++;
      for (const out of outputs) await this.export(out);
    }
  }

  private async export(out: ClusterTickOutput): Promise<void> {
    const max = this.settings.maxRecordsPerRequest;
    let logs = out.logs;
    if (this.apis) {
      // Objects and events go to the cluster's API server; the collector watching it takes them.
      this.apis.apply(out.cluster, out.api);
      logs = logs.filter((l) => l.scope !== SCOPES.k8sObjects && l.scope !== SCOPES.k8sEvents);
    }
    for (const req of buildLogsRequests(logs, max)) await this.send('logs', req, countOf(req));
    for (const req of buildMetricsRequests(out.metrics, max)) await this.send('metrics', req, countOf(req));
    for (const req of buildTracesRequests(out.spans, max)) await this.send('traces', req, countOf(req));
  }

  private async send(signal: OtlpSignal, request: OtlpExportRequest, count: number): Promise<void> {
    if (count === 0) return;
    try {
      await this.transport.send(signal, request, { signal: this.abort.signal });
      this.counter.sent(signal, count);
    } catch (err) {
      const kind = err instanceof OtlpExportError ? err.kind : 'transport_error';
      const first = this.counter.failed(signal, count, kind);
      if (first && !this.stopped) {
        this.logger?.warn(
          { kind, signal, err: err instanceof Error ? err.message : String(err) },
          'simulator export failed; further failures of this kind are only counted',
        );
      }
    }
  }
}

/** Records in a request: log records, metric data points or spans. */
function countOf(request: OtlpExportRequest): number {
  let n = 0;
  if ('resourceLogs' in request)
    for (const r of request.resourceLogs) for (const s of r.scopeLogs) n += s.logRecords.length;
  if ('resourceSpans' in request)
    for (const r of request.resourceSpans) for (const s of r.scopeSpans) n += s.spans.length;
  if ('resourceMetrics' in request) {
    for (const r of request.resourceMetrics) {
      for (const s of r.scopeMetrics) {
        for (const m of s.metrics) {
          n +=
            'gauge' in m
              ? m.gauge.dataPoints.length
              : 'sum' in m
                ? m.sum.dataPoints.length
                : m.histogram.dataPoints.length;
        }
      }
    }
  }
  return n;
}
