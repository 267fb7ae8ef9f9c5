import {
  OverloadedError,
  PayloadTooLargeError,
  UnavailableError,
  batchSize,
  emptyBatch,
  isSleuthError,
  type Component,
  type Logger,
  type SignalBatch,
  type SleuthError,
} from '@sleuth/core';
import type { Store, WriteResult } from '@sleuth/store';

/** What the queue reports as it works; the server turns these into Prometheus metrics. */
export interface IngestQueueObserver {
  depthChanged(records: number): void;
  written(records: number, seconds: number, requests: number): void;
  writeFailed(records: number, retryable: boolean): void;
  throttled(records: number): void;
}

export interface IngestQueueOptions {
  store: Pick<Store, 'writeBatch'>;
  /** Records accepted but not yet durable; a submit that would exceed it is refused with 429. */
  maxRecords: number;
  /** Most records merged into one store transaction (group commit). */
  writeBatchMaxRecords: number;
  retryAfterSeconds: number;
  logger: Logger;
  observer?: IngestQueueObserver;
  /** Backoff between attempts when the store fails with a retryable error. */
  retryBackoffMs?: number;
  /** Attempts before a retryable store failure is handed back to the sender as 503. */
  maxWriteAttempts?: number;
  /**
   * Longest a write keeps being retried, from its first attempt (default 3000 ms): a store that
   * waits out a lock itself (SQLite's busy timeout) is not retried for as long again, so the
   * sender hears 503 within seconds instead of hanging.
   */
  retryBudgetMs?: number;
  /**
   * Called with every batch once it is durable (the detectors' feed). It must not block or
   * throw; an exception is logged and never fails the write.
   */
  onWritten?: (batch: SignalBatch) => void;
}

interface Pending {
  batch: SignalBatch;
  size: number;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

const NO_OBSERVER: IngestQueueObserver = {
  depthChanged: () => undefined,
  written: () => undefined,
  writeFailed: () => undefined,
  throttled: () => undefined,
};

function mergeInto(target: SignalBatch, b: SignalBatch): void {
  // push(...) on large arrays can overflow the stack; a loop cannot.
  for (const r of b.logs) target.logs.push(r);
  for (const r of b.metrics) target.metrics.push(r);
  for (const r of b.spans) target.spans.push(r);
  for (const r of b.events) target.events.push(r);
  for (const r of b.objects) target.objects.push(r);
}

/** The 503 a sender gets when the store kept failing: the store's own words, and nothing stored. */
function notStored(err: SleuthError, attempts: number): UnavailableError {
  return new UnavailableError(`${err.message}. Nothing of this request was stored; retry later`, {
    ...err.details,
    attempts,
  });
}

function resultFor(b: SignalBatch): WriteResult {
  return {
    logs: b.logs.length,
    metrics: b.metrics.length,
    spans: b.spans.length,
    events: b.events.length,
    objects: b.objects.length,
  };
}

/**
 * The bounded queue between receivers and the store. `submit` resolves only once the batch is
 * durably written, so a receiver that awaits it acknowledges nothing that could be lost. Batches
 * waiting together are written in one transaction (group commit), which is what makes small
 * requests cheap. When the queue holds `maxRecords`, `submit` throws OverloadedError (429 with
 * Retry-After) instead of dropping anything.
 *
 * A merged write that fails permanently is retried batch by batch, so one bad request never fails
 * the others it happened to share a transaction with. A store that keeps failing with a retryable
 * error (disk full, database locked) fails the group with 503 naming the store's problem, and with
 * it every batch waiting behind: they would meet the same condition, and their senders learn it
 * now instead of one retry cycle each later. Nothing that was refused is written.
 */
export class IngestQueue implements Component {
  private readonly pending: Pending[] = [];
  private queued = 0;
  private writing: Promise<void> | undefined;
  private accepting = false;
  private readonly observer: IngestQueueObserver;

  constructor(private readonly opts: IngestQueueOptions) {
    this.observer = opts.observer ?? NO_OBSERVER;
  }

  start(): Promise<void> {
    this.accepting = true;
    return Promise.resolve();
  }

  /** Stops taking batches and waits until every accepted one is written or failed. */
  async stop(): Promise<void> {
    this.accepting = false;
    while (this.writing) await this.writing;
  }

  /** Records accepted and not yet written. */
  depth(): number {
    return this.queued;
  }

  submit(batch: SignalBatch): Promise<WriteResult> {
    const size = batchSize(batch);
    if (!this.accepting) {
      return Promise.reject(
        new UnavailableError('ingest is not accepting data: the server is starting or stopping'),
      );
    }
    if (size === 0) return Promise.resolve(resultFor(batch));
    if (size > this.opts.maxRecords) {
      return Promise.reject(
        new PayloadTooLargeError(
          `batch of ${size} records exceeds the ingest queue capacity of ${this.opts.maxRecords}; split it`,
          { records: size, maxRecords: this.opts.maxRecords },
        ),
      );
    }
    if (this.queued + size > this.opts.maxRecords) {
      this.observer.throttled(size);
      return Promise.reject(
        new OverloadedError(
          `ingest queue is full (${this.queued} of ${this.opts.maxRecords} records waiting); retry later`,
          this.opts.retryAfterSeconds,
          { queuedRecords: this.queued, maxRecords: this.opts.maxRecords },
        ),
      );
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ batch, size, resolve, reject });
      this.queued += size;
      this.observer.depthChanged(this.queued);
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing || this.pending.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.takeGroup();
      await this.writeGroup(group);
      for (const p of group) this.queued -= p.size;
      this.observer.depthChanged(this.queued);
    }
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let records = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (!next || (group.length > 0 && records + next.size > this.opts.writeBatchMaxRecords)) break;
      this.pending.shift();
      group.push(next);
      records += next.size;
    }
    return group;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    let merged: SignalBatch;
    if (group.length === 1 && group[0]) {
      merged = group[0].batch;
    } else {
      merged = emptyBatch();
      for (const p of group) mergeInto(merged, p.batch);
    }
    const records = group.reduce((n, p) => n + p.size, 0);
    try {
      await this.writeWithRetry(merged, records, group.length);
      for (const p of group) p.resolve(resultFor(p.batch));
    } catch (err) {
      if (group.length > 1 && isSleuthError(err) && !err.retryable) {
        // Isolate the bad request: write each on its own so the good ones still land.
        for (const p of group) {
          try {
            await this.writeWithRetry(p.batch, p.size, 1);
            p.resolve(resultFor(p.batch));
          } catch (single) {
            p.reject(single);
          }
        }
        return;
      }
      for (const p of group) p.reject(err);
      if (isSleuthError(err) && err.retryable) this.failWaiting(err);
    }
  }

  /** Rejects every batch not yet taken for writing. */
  private failWaiting(err: unknown): void {
    const waiting = this.pending.splice(0);
    for (const p of waiting) {
      this.queued -= p.size;
      p.reject(err);
    }
  }

  private handOn(batch: SignalBatch): void {
    try {
      this.opts.onWritten?.(batch);
    } catch (err) {
      this.opts.logger.error({ err }, 'a consumer of written batches failed');
    }
  }

  private async writeWithRetry(batch: SignalBatch, records: number, requests: number): Promise<void> {
    const attempts = this.opts.maxWriteAttempts ?? 5;
    const backoff = this.opts.retryBackoffMs ?? 200;
    const budgetMs = this.opts.retryBudgetMs ?? 3000;
    const first = performance.now();
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        await this.opts.store.writeBatch(batch);
        this.observer.written(records, Number(process.hrtime.bigint() - started) / 1e9, requests);
        this.handOn(batch);
        return;
      } catch (err) {
        const retryable = isSleuthError(err) && err.retryable;
        this.observer.writeFailed(records, retryable);
        const wait = backoff * 2 ** (attempt - 1);
        if (!retryable || attempt >= attempts || performance.now() - first + wait > budgetMs) {
          this.opts.logger.error({ err, records, attempt }, 'store write failed');
          throw retryable ? notStored(err, attempt) : err;
        }
        this.opts.logger.warn({ err, records, attempt }, 'store write failed, retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
