import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyBatch, type LogRecord, type SignalBatch } from '@sleuth/core';
import { SqliteStore, type Store, type StoreStats, type WriteFailure } from '@sleuth/store';
import { ServerMetrics } from '../metrics';
import { healthRoutes } from './health';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function appOn(store: Pick<Store, 'stats' | 'writeFailure'>, depth = 0): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(
    healthRoutes({
      store,
      queue: { depth: () => depth },
      metrics: new ServerMetrics({ defaultMetrics: false }),
      queueCapacity: 100,
    }),
  );
  cleanups.push(() => app.close());
  return app;
}

async function readyz(app: FastifyInstance): Promise<{ status: number; problems: string[] }> {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  const body = res.json<{ problems?: string[] }>();
  return { status: res.statusCode, problems: body.problems ?? [] };
}

const logs = (body: string): SignalBatch => {
  const record: LogRecord = {
    timeMs: Date.now(),
    source: { cluster: 'lab', namespace: 'web', workload: 'api', pod: 'api-0' },
    severity: 'info',
    body,
    attributes: {},
  };
  return { ...emptyBatch(), logs: [record] };
};

/**
 * A store on a temporary file whose busy timeout and write check run every `ms`, a second
 * connection that can lock the file, and an app serving /readyz from the store.
 */
async function lockableStore(ms: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-readyz-'));
  const path = join(dir, 'sleuth.db');
  const store = new SqliteStore({ path, synchronous: 'normal', busyTimeoutMs: ms, writeCheckIntervalMs: ms });
  await store.start();
  const holder = new Database(path);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.stop());
  cleanups.push(() => {
    holder.close();
  });
  return { store, holder, app: await appOn(store) };
}

describe('/readyz and the store writes', () => {
  it('is 503 naming a failed write while writes fail, and 200 once the store finds they work again', async () => {
    const { store, holder, app } = await lockableStore(50);

    await store.writeBatch(logs('before the lock'));
    expect(await readyz(app)).toEqual({ status: 200, problems: [] });

    holder.exec('BEGIN EXCLUSIVE');
    await expect(store.writeBatch(logs('while locked'))).rejects.toThrow(/locked/);
    // A write with nothing to write succeeds even now, and proves nothing.
    await store.writeBatch(emptyBatch());
    const locked = await readyz(app);
    expect(locked.status).toBe(503);
    expect(locked.problems).toHaveLength(1);
    expect(locked.problems[0]).toMatch(
      /^store: database locked: the last write at \d{4}-\d\d-\d\dT[\d:.]+Z failed \(writing a batch failed: the database file is locked by another connection or process/,
    );
    expect(locked.problems[0]).toMatch(/ready again once a write succeeds$/);

    // Nobody writes (an orchestrator would have taken the server out of rotation): the store's own
    // check finds that writes work again once the lock is gone.
    holder.exec('ROLLBACK');
    await expect.poll(async () => (await readyz(app)).status, { timeout: 5000, interval: 25 }).toBe(200);
    expect(store.writeFailure()).toBeUndefined();
  });

  it('stays 503 while the check still fails, saying what it found', async () => {
    const { store, holder, app } = await lockableStore(20);
    holder.exec('BEGIN EXCLUSIVE');
    await expect(store.writeBatch(logs('while locked'))).rejects.toThrow(/locked/);
    await expect
      .poll(async () => (await readyz(app)).problems.join(), { timeout: 5000, interval: 25 })
      .toMatch(/checked again at .*: checking that writes work failed: the database file is locked/);
    expect((await readyz(app)).status).toBe(503);
  });

  it('names a full disk, when writes started failing, what the last check found, and other problems', async () => {
    const failure: WriteFailure = {
      reason: 'disk_full',
      message: 'writing a batch failed: the disk holding the database is full (SQLITE_FULL)',
      code: 'SQLITE_FULL',
      atMs: Date.UTC(2026, 10, 24, 10, 0, 5),
      sinceMs: Date.UTC(2026, 10, 24, 10, 0, 0),
      failedWrites: 12,
      lastCheck: { atMs: Date.UTC(2026, 10, 24, 10, 0, 10), result: '2.0 MiB free on the disk' },
    };
    const stats = (): Promise<StoreStats> => Promise.reject(new Error('the writer thread exited'));
    const app = await appOn({ stats, writeFailure: () => failure }, 95);
    expect(await readyz(app)).toEqual({
      status: 503,
      problems: [
        'store: the writer thread exited',
        'store: disk full: the last write at 2026-11-24T10:00:05.000Z failed (writing a batch failed: ' +
          'the disk holding the database is full (SQLITE_FULL)); 12 writes failed since ' +
          '2026-11-24T10:00:00.000Z; checked again at 2026-11-24T10:00:10.000Z: 2.0 MiB free on the disk; ' +
          'ready again once a write succeeds',
        'ingest queue 95/100 records',
      ],
    });
  });
});
