import { batchSize, type Anomaly, type Component, type Logger, type SignalBatch } from '@sleuth/core';
import type { Detector } from './detector';

/** Where anomalies go: the store (`Store.putAnomalies` upserts by id). */
export interface AnomalySink {
  putAnomalies(anomalies: readonly Anomaly[]): Promise<void>;
}

/** What the runner reports as it works; the server turns these into Prometheus metrics. */
export interface DetectionObserver {
  batchDropped(records: number): void;
  detected(detector: string, anomalies: number, seconds: number): void;
  detectorFailed(detector: string): void;
}

export interface DetectionRunnerOptions {
  detectors: readonly Detector[];
  sink: AnomalySink;
  logger: Logger;
  /** Records waiting for the detectors; a batch beyond it is dropped and counted. */
  maxPendingRecords: number;
  /** How often `tick` runs (wall clock), with the newest signal time seen as its `nowMs`. */
  tickMs: number;
  observer?: DetectionObserver;
  /**
   * What comes after detection (the correlator): given every batch of anomalies once written,
   * and every tick with the signal clock. Awaited in order; a failure is logged, never fatal.
   */
  downstream?: {
    anomalies(anomalies: readonly Anomaly[]): Promise<unknown>;
    tick(nowMs: number): Promise<void>;
  };
}

/** Where detection stands, for /api/v1/status. */
export interface DetectionStatus {
  /** The newest signal time processed (signals' own clock), null before any batch. */
  signalClockMs: number | null;
  pendingRecords: number;
  droppedBatches: number;
  droppedRecords: number;
}

const NO_OBSERVER: DetectionObserver = {
  batchDropped: () => undefined,
  detected: () => undefined,
  detectorFailed: () => undefined,
};

/** The newest timestamp in a batch: the signals' clock, which `tick` follows. */
function newestMs(b: SignalBatch): number {
  let t = -Infinity;
  for (const r of b.metrics) t = Math.max(t, r.timeMs);
  for (const r of b.logs) t = Math.max(t, r.timeMs);
  for (const r of b.events) t = Math.max(t, r.lastMs);
  for (const r of b.objects) t = Math.max(t, r.timeMs);
  for (const r of b.spans) t = Math.max(t, r.endMs);
  return t;
}

/**
 * Runs every detector over each batch the ingest queue has made durable, in arrival order, and
 * writes their anomalies. Detection never slows ingest: `offer` only enqueues; when the
 * detectors fall behind by `maxPendingRecords`, new batches are dropped from detection (they
 * are stored all the same) and counted. A detector that throws is logged and counted; the
 * others still run.
 */
export class DetectionRunner implements Component {
  private pending: SignalBatch[] = [];
  private pendingRecords = 0;
  private clockMs = -Infinity;
  /** The signal clock once a batch's anomalies are written (what the API can already show). */
  private processedMs = -Infinity;
  private draining: Promise<void> | undefined;
  private ticking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly observer: DetectionObserver;
  /** Batches and records dropped from detection because the detectors were behind. */
  readonly dropped = { batches: 0, records: 0 };

  constructor(private readonly opts: DetectionRunnerOptions) {
    this.observer = opts.observer ?? NO_OBSERVER;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    this.timer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
    await this.ticking;
  }

  /** Hands a durable batch to the detectors; never blocks, never throws. */
  offer(batch: SignalBatch): void {
    if (this.stopped) return;
    const size = batchSize(batch);
    if (size === 0) return;
    if (this.pendingRecords + size > this.opts.maxPendingRecords) {
      this.dropped.batches++;
      this.dropped.records += size;
      this.observer.batchDropped(size);
      return;
    }
    this.pending.push(batch);
    this.pendingRecords += size;
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * Where detection stands: the newest signal time it has processed (signals' own clock),
   * records waiting, and what was dropped because the detectors were behind.
   */
  status(): DetectionStatus {
    return {
      signalClockMs: Number.isFinite(this.processedMs) ? this.processedMs : null,
      pendingRecords: this.pendingRecords,
      droppedBatches: this.dropped.batches,
      droppedRecords: this.dropped.records,
    };
  }

  /** Resolves once every batch offered so far has been through the detectors. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Runs a tick at once (what the timer does) and resolves when it and what it handed
   * downstream are done: for drivers that step the signal clock themselves (scenario runs).
   */
  async tickNow(): Promise<void> {
    await this.ticking;
    this.tick();
    await this.ticking;
  }

  private async drain(): Promise<void> {
    // Let the caller (the queue's write loop) go on before detection starts.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending.shift() as SignalBatch;
      this.pendingRecords -= batchSize(batch);
      this.clockMs = Math.max(this.clockMs, newestMs(batch));
      await this.write(this.run((d) => d.observe(batch)));
      this.processedMs = this.clockMs;
      await new Promise((r) => setImmediate(r));
    }
  }

  private tick(): void {
    if (!Number.isFinite(this.clockMs) || this.ticking) return;
    const now = this.clockMs;
    const found = this.run((d) => d.tick(now));
    this.ticking = (async () => {
      if (found.length > 0) await this.write(found);
      await this.opts.downstream?.tick(now).catch((err: unknown) => {
        this.opts.logger.error({ err }, 'correlating on tick failed');
      });
    })().finally(() => {
      this.ticking = undefined;
    });
  }

  private run(step: (d: Detector) => Anomaly[]): Anomaly[] {
    const out: Anomaly[] = [];
    for (const d of this.opts.detectors) {
      const started = process.hrtime.bigint();
      try {
        const found = step(d);
        for (const a of found) out.push(a);
        this.observer.detected(d.id, found.length, Number(process.hrtime.bigint() - started) / 1e9);
      } catch (err) {
        this.observer.detectorFailed(d.id);
        this.opts.logger.error({ err, detector: d.id }, 'detector failed on a batch');
      }
    }
    return out;
  }

  private async write(anomalies: Anomaly[]): Promise<void> {
    if (anomalies.length === 0) return;
    try {
      await this.opts.sink.putAnomalies(anomalies);
    } catch (err) {
      this.opts.logger.error({ err, anomalies: anomalies.length }, 'writing anomalies failed');
      return;
    }
    try {
      await this.opts.downstream?.anomalies(anomalies);
    } catch (err) {
      this.opts.logger.error({ err, anomalies: anomalies.length }, 'correlating anomalies failed');
    }
  }
}
