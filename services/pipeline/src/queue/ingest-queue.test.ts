import { describe, expect, it } from 'vitest';
import {
  createLogger,
  emptyBatch,
  StoreError,
  ValidationError,
  type LogRecord,
  type SignalBatch,
} from '@sleuth/core';
import type { WriteResult } from '@sleuth/store';
import { IngestQueue } from './ingest-queue';

function logs(n: number, body = 'hello'): SignalBatch {
  const b = emptyBatch();
  for (let i = 0; i < n; i++) {
    const rec: LogRecord = {
      timeMs: 1_700_000_000_000 + i,
      source: { cluster: 'c1' },
      severity: 'info',
      body,
      attributes: {},
    };
    b.logs.push(rec);
  }
  return b;
}

/** A store double that records each transaction and can be told to fail. */
class RecordingStore {
  transactions: number[] = [];
  written: string[] = [];
  failNext: Error[] = [];
  gate: Promise<void> = Promise.resolve();
  writeBatch(batch: SignalBatch): Promise<WriteResult> {
    return this.gate.then(() => {
      const fail = this.failNext.shift();
      if (fail) throw fail;
      if (batch.logs.some((l) => l.body === 'poison')) throw new ValidationError('poison record');
      this.transactions.push(batch.logs.length);
      this.written.push(...batch.logs.map((l) => l.body));
      return { logs: batch.logs.length, metrics: 0, spans: 0, events: 0, objects: 0 };
    });
  }
}

function queueOn(store: RecordingStore, maxRecords = 100, writeBatchMaxRecords = 50): IngestQueue {
  return new IngestQueue({
    store,
    maxRecords,
    writeBatchMaxRecords,
    retryAfterSeconds: 2,
    logger: createLogger('silent'),
    retryBackoffMs: 1,
  });
}

describe('IngestQueue', () => {
  it('acknowledges a batch only after the store has written it', async () => {
    const store = new RecordingStore();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const q = queueOn(store);
    await q.start();
    let acked = false;
    const done = q.submit(logs(3)).then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(acked).toBe(false);
    expect(q.depth()).toBe(3);
    open();
    await done;
    expect(store.written).toHaveLength(3);
    expect(q.depth()).toBe(0);
  });

  it('writes batches that wait together in one transaction, up to the group limit', async () => {
    const store = new RecordingStore();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const q = queueOn(store, 1000, 50);
    await q.start();
    const first = q.submit(logs(10));
    const rest = [q.submit(logs(20)), q.submit(logs(20)), q.submit(logs(20))];
    open();
    await Promise.all([first, ...rest]);
    // The first write starts alone; the three that queued behind it share transactions of <= 50.
    expect(store.transactions).toEqual([10, 40, 20]);
  });

  it('refuses with 429 and Retry-After when full, and never drops what it accepted', async () => {
    const store = new RecordingStore();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const q = queueOn(store, 10);
    await q.start();
    const accepted = q.submit(logs(8));
    await expect(q.submit(logs(5))).rejects.toMatchObject({ statusCode: 429, retryAfterSeconds: 2 });
    open();
    await accepted;
    expect(store.written).toHaveLength(8);
  });

  it('rejects a single batch larger than the whole queue with 413', async () => {
    const q = queueOn(new RecordingStore(), 10);
    await q.start();
    await expect(q.submit(logs(11))).rejects.toMatchObject({ statusCode: 413 });
  });

  it('isolates a permanently failing batch so the batches grouped with it still land', async () => {
    const store = new RecordingStore();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const q = queueOn(store);
    await q.start();
    const warm = q.submit(logs(1, 'first'));
    const good1 = q.submit(logs(2, 'good'));
    const bad = q.submit(logs(1, 'poison'));
    const good2 = q.submit(logs(2, 'good'));
    open();
    await warm;
    await expect(good1).resolves.toMatchObject({ logs: 2 });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(good2).resolves.toMatchObject({ logs: 2 });
    expect(store.written.filter((b) => b === 'good')).toHaveLength(4);
  });

  it('retries retryable store failures, then answers 503 when they persist', async () => {
    const store = new RecordingStore();
    const q = queueOn(store);
    await q.start();
    store.failNext = [new StoreError('busy', { retryable: true })];
    await expect(q.submit(logs(1))).resolves.toMatchObject({ logs: 1 });
    store.failNext = Array.from({ length: 10 }, () => new StoreError('disk gone', { retryable: true }));
    await expect(q.submit(logs(1))).rejects.toMatchObject({ statusCode: 503 });
  });

  it("answers 503 in the store's own words, with its details, when a failure persists", async () => {
    const store = new RecordingStore();
    const q = queueOn(store);
    await q.start();
    const full = new StoreError(
      'writing a batch failed: the disk holding the database is full (SQLITE_FULL)',
      {
        retryable: true,
        details: { sqliteCode: 'SQLITE_FULL', reason: 'disk_full' },
      },
    );
    store.failNext = Array.from({ length: 10 }, () => full);
    const err: unknown = await q.submit(logs(3)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      statusCode: 503,
      retryable: true,
      details: { reason: 'disk_full', sqliteCode: 'SQLITE_FULL', attempts: 5 },
    });
    expect(String(err)).toMatch(/disk holding the database is full.*Nothing of this request was stored/);
    expect(store.written).toEqual([]);
  });

  it('stops retrying a store that waits out a lock itself once its retry budget is spent', async () => {
    const store = new RecordingStore();
    const slowBusy = (): Promise<never> =>
      new Promise((_, reject) =>
        setTimeout(() => reject(new StoreError('database is locked', { retryable: true })), 100),
      );
    let calls = 0;
    const q = new IngestQueue({
      store: {
        writeBatch: (b) => (++calls <= 10 ? slowBusy() : store.writeBatch(b)),
      },
      maxRecords: 100,
      writeBatchMaxRecords: 50,
      retryAfterSeconds: 1,
      logger: createLogger('silent'),
      retryBackoffMs: 10,
      retryBudgetMs: 50,
    });
    await q.start();
    await expect(q.submit(logs(1))).rejects.toMatchObject({ statusCode: 503, details: { attempts: 1 } });
    expect(calls).toBe(1);
  });

  it('fails the batches waiting behind a store that cannot write, and writes again once it can', async () => {
    const store = new RecordingStore();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const q = queueOn(store, 1000, 10);
    await q.start();
    store.failNext = Array.from({ length: 5 }, () => new StoreError('locked', { retryable: true }));
    const first = q.submit(logs(10, 'first'));
    const waiting = [q.submit(logs(10, 'second')), q.submit(logs(10, 'third'))];
    open();
    await expect(first).rejects.toMatchObject({ statusCode: 503 });
    for (const w of waiting) await expect(w).rejects.toMatchObject({ statusCode: 503 });
    // Only the first group was tried: the waiting ones were refused without a write of their own.
    expect(store.failNext).toEqual([]);
    expect(q.depth()).toBe(0);
    await expect(q.submit(logs(2, 'later'))).resolves.toMatchObject({ logs: 2 });
    expect(store.written).toEqual(['later', 'later']);
  });

  it('drains accepted batches on stop and refuses new ones after', async () => {
    const store = new RecordingStore();
    const q = queueOn(store);
    await q.start();
    const inFlight = q.submit(logs(5));
    await q.stop();
    await inFlight;
    expect(store.written).toHaveLength(5);
    await expect(q.submit(logs(1))).rejects.toMatchObject({ statusCode: 503 });
  });

  it('acknowledges an empty batch without touching the store', async () => {
    const store = new RecordingStore();
    const q = queueOn(store);
    await q.start();
    await expect(q.submit(emptyBatch())).resolves.toMatchObject({ logs: 0 });
    expect(store.transactions).toEqual([]);
  });
});
