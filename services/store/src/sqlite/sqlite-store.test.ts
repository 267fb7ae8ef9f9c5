import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SleuthError, StoreError } from '@sleuth/core';
import { batchOf, log, SECOND, T0 } from '../contract/fixtures';
import { describeStoreContract } from '../store-contract';
import { SCHEMA_VERSION } from './migrations';
import { SqliteStore } from './sqlite-store';

const REPO_ROOT = new URL('../../../../', import.meta.url);

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function openStore(path: string, writeThread = false): Promise<SqliteStore> {
  const store = new SqliteStore({ path, synchronous: 'normal', writeThread });
  await store.start();
  return store;
}

for (const writeThread of [false, true]) {
  describeStoreContract(writeThread ? 'sqlite with a writer thread' : 'sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sleuth-contract-'));
    const path = join(dir, 'sleuth.db');
    let store = await openStore(path, writeThread);
    return {
      store,
      reopen: async () => {
        await store.stop();
        store = await openStore(path, writeThread);
        return store;
      },
      cleanup: async () => {
        await store.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

describe('SqliteStore', () => {
  it('creates a WAL database with incremental auto-vacuum at the current schema version', async () => {
    const path = join(tempDir(), 'a.db');
    const store = await openStore(path);
    expect((await store.stats()).schemaVersion).toBe(SCHEMA_VERSION);
    await store.stop();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });

  it('refuses a database written by a newer Sleuth', async () => {
    const path = join(tempDir(), 'newer.db');
    await (await openStore(path)).stop();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(
      99,
      'future',
      0,
    );
    db.close();
    const err: unknown = await new SqliteStore({ path, synchronous: 'normal' })
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(String(err)).toMatch(new RegExp(`schema version 99.*only knows versions up to ${SCHEMA_VERSION}`));
  });

  it('stops idempotently, also without start, and refuses calls once stopped', async () => {
    const never = new SqliteStore({ path: ':memory:', synchronous: 'normal' });
    await never.stop();
    const store = await openStore(':memory:');
    await store.stop();
    await store.stop();
    await expect(store.searchLogs({})).rejects.toThrow(/not open/);
  });

  it('keeps rowids unique when a reopened store writes into milliseconds already used', async () => {
    const path = join(tempDir(), 'same-ms.db');
    let store = await openStore(path);
    await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'before restart' })] }));
    await store.stop();
    store = await openStore(path);
    await store.writeBatch(
      batchOf({
        logs: [
          log({ timeMs: T0, body: 'after restart' }),
          log({ timeMs: T0 + 0.5, body: 'after restart fraction' }),
        ],
      }),
    );
    const page = await store.searchLogs({ q: 'restart' });
    expect(page.records.map((r) => [r.body, r.timeMs])).toEqual([
      ['after restart fraction', T0 + 0.5],
      ['after restart', T0],
      ['before restart', T0],
    ]);
    await store.stop();
  });

  it('rolls back a whole batch when one record cannot be stored', async () => {
    const store = await openStore(':memory:');
    const bad = batchOf({
      logs: [log({ timeMs: T0, body: 'good one' }), log({ timeMs: Number.NaN, body: 'bad one' })],
    });
    await expect(store.writeBatch(bad)).rejects.toThrow(/logs\[1\]/);
    expect((await store.searchLogs({})).records).toEqual([]);
    expect((await store.stats()).counts.logs).toBe(0);
    await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'later' })] }));
    expect((await store.searchLogs({})).records).toHaveLength(1);
    await store.stop();
  });
});

describe('SqliteStore durability and upkeep', () => {
  it('keeps an acknowledged batch when the process is killed right after writeBatch resolves', async () => {
    const dir = tempDir();
    const path = join(dir, 'crash.db');
    const script = join(dir, 'crash-writer.mjs');
    const storeModule = new URL('./sqlite-store.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { SqliteStore } from ${JSON.stringify(storeModule)};
const store = new SqliteStore({ path: ${JSON.stringify(path)}, synchronous: 'normal' });
await store.start();
const logs = Array.from({ length: 5000 }, (_, i) => ({
  timeMs: ${T0} + i, source: { cluster: 'c' }, severity: 'info', body: 'acknowledged line ' + i, attributes: {},
}));
await store.writeBatch({ logs, metrics: [], spans: [], events: [], objects: [] });
process.stdout.write('written\\n');
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toBe('written\n');
    const store = await openStore(path);
    expect((await store.stats()).counts.logs).toBe(5000);
    expect((await store.searchLogs({ q: 'acknowledged', limit: 1 })).records[0]?.body).toBe(
      'acknowledged line 4999',
    );
    await store.stop();
  });

  it('gives the space of deleted signals back to the file system', async () => {
    const path = join(tempDir(), 'shrink.db');
    const store = await openStore(path);
    for (let b = 0; b < 5; b++) {
      const logs = Array.from({ length: 2000 }, (_, i) =>
        log({ timeMs: T0 + (b * 2000 + i) * SECOND, body: `line ${b}-${i} ${'payload '.repeat(20)}` }),
      );
      await store.writeBatch(batchOf({ logs }));
    }
    const pages = (): number => {
      const db = new Database(path, { readonly: true });
      const n = Number(db.pragma('page_count', { simple: true }));
      db.close();
      return n;
    };
    const before = pages();
    const report = await store.enforceRetention({
      maxAgeMs: 1000 * SECOND,
      maxBytes: Number.MAX_SAFE_INTEGER,
      nowMs: T0 + 10_000 * SECOND,
    });
    expect(report.deleted.logs).toBe(9000);
    expect(pages()).toBeLessThan(before / 2);
    await store.stop();
  });
});

describe('SqliteStore with a writer thread', () => {
  it('finds records from sources the writer created after the first search', async () => {
    const store = await openStore(join(tempDir(), 'sleuth.db'), true);
    try {
      await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'boot ok' })] }));
      expect(
        (await store.searchLogs({ q: 'boot', fromMs: T0 - SECOND, toMs: T0 + SECOND })).records,
      ).toHaveLength(1);
      // A cluster, namespace and pod the reading connection has never seen.
      const fresh = { cluster: 'prod-ap', namespace: 'ledger', workload: 'ledger-api', pod: 'ledger-api-0' };
      await store.writeBatch(
        batchOf({ logs: [log({ timeMs: T0 + SECOND, body: 'ledger boot', source: fresh })] }),
      );
      const page = await store.searchLogs({
        q: 'boot',
        cluster: 'prod-ap',
        pod: 'ledger-api-0',
        fromMs: T0 - SECOND,
        toMs: T0 + 2 * SECOND,
      });
      expect(page.records.map((r) => [r.body, r.source.cluster])).toEqual([['ledger boot', 'prod-ap']]);
    } finally {
      await store.stop();
    }
  });

  it('keeps the reading connection read-only and reports write errors with their class', async () => {
    const store = await openStore(join(tempDir(), 'sleuth.db'), true);
    try {
      await expect(
        store.writeBatch(batchOf({ logs: [log({ timeMs: Number.MAX_SAFE_INTEGER, body: 'far future' })] })),
      ).rejects.toBeInstanceOf(SleuthError);
      expect((await store.stats()).counts.logs).toBe(0);
    } finally {
      await store.stop();
    }
    await expect(store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'late' })] }))).rejects.toThrow(
      /not open/,
    );
  });

  it('refuses an in-memory database, which a second thread cannot share', async () => {
    const store = new SqliteStore({ path: ':memory:', synchronous: 'normal', writeThread: true });
    await expect(store.start()).rejects.toThrow(/in-memory store cannot use a writer thread/);
  });
});

describe('SqliteStore when another process locks the database', () => {
  it('fails writes with a retryable error naming the lock, keeps reading, and writes once released', async () => {
    const path = join(tempDir(), 'sleuth.db');
    const store = new SqliteStore({ path, synchronous: 'normal', writeThread: true, busyTimeoutMs: 100 });
    await store.start();
    const holder = new Database(path);
    try {
      await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'before the lock' })] }));
      holder.exec('BEGIN EXCLUSIVE');
      const err: unknown = await store
        .writeBatch(batchOf({ logs: [log({ timeMs: T0 + 1, body: 'while locked' })] }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ retryable: true, details: { reason: 'locked' } });
      expect(String(err)).toMatch(/locked by another connection or process/);
      const page = await store.searchLogs({ fromMs: T0 - SECOND, toMs: T0 + SECOND });
      expect(page.records.map((r) => r.body)).toEqual(['before the lock']);
      holder.exec('ROLLBACK');
      await store.writeBatch(batchOf({ logs: [log({ timeMs: T0 + 2, body: 'after the lock' })] }));
      expect((await store.stats()).counts.logs).toBe(2);
    } finally {
      holder.close();
      await store.stop();
    }
  });
});

describe('SqliteStore when its writer thread dies', () => {
  it('fails writes and stats at once instead of hanging, and still answers reads', async () => {
    const store = await openStore(join(tempDir(), 'sleuth.db'), true);
    try {
      await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'before the crash' })] }));
      // Simulate a crash of the thread (e.g. a native fault): terminate the worker under it.
      const { writer } = (
        store as unknown as { engine: { writer: { worker: { terminate(): Promise<number> } } } }
      ).engine;
      await writer.worker.terminate();
      await expect(
        store.writeBatch(batchOf({ logs: [log({ timeMs: T0 + 1, body: 'after' })] })),
      ).rejects.toThrow(/writer thread exited/);
      await expect(store.stats()).rejects.toBeInstanceOf(StoreError);
      const page = await store.searchLogs({ q: 'crash', fromMs: T0 - SECOND, toMs: T0 + SECOND });
      expect(page.records.map((r) => r.body)).toEqual(['before the crash']);
    } finally {
      await store.stop();
    }
  });
});
