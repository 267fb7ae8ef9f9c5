import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError, ValidationError } from '@sleuth/core';
import { batchOf, log, T0 } from '../contract/fixtures';
import type { WriteFailure } from '../store';
import { SqliteStore } from './sqlite-store';
import { WriteHealth } from './write-health';

const full = (message = 'writing a batch failed: the disk holding the database is full (SQLITE_FULL)') =>
  new StoreError(message, { retryable: true, details: { sqliteCode: 'SQLITE_FULL', reason: 'disk_full' } });
const locked = () =>
  new StoreError('writing a batch failed: locked (SQLITE_BUSY)', {
    retryable: true,
    details: { sqliteCode: 'SQLITE_BUSY', reason: 'locked' },
  });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('WriteHealth', () => {
  let clock = 1000;
  const health = (
    check: (f: WriteFailure) => Promise<void> = () => Promise.resolve(),
    checkIntervalMs = 0,
  ) => {
    const h = new WriteHealth({ checkIntervalMs, check, now: () => clock });
    cleanups.push(() => h.stop());
    return h;
  };
  const fail = (h: WriteHealth, err: Error) =>
    h.track(Promise.reject(err), () => true).catch(() => undefined);

  it('reports the last failure that can clear up, since when and how many, until a write succeeds', async () => {
    const h = health();
    expect(h.current()).toBeUndefined();
    await fail(h, full());
    clock = 2000;
    await fail(h, full('writing alerts failed: full'));
    expect(h.current()).toEqual({
      reason: 'disk_full',
      message: 'writing alerts failed: full',
      code: 'SQLITE_FULL',
      atMs: 2000,
      sinceMs: 1000,
      failedWrites: 2,
    });
    await h.track(Promise.resolve('nothing'), () => false);
    expect(h.current()?.failedWrites).toBe(2);
    await h.track(Promise.resolve('written'), () => true);
    expect(h.current()).toBeUndefined();
  });

  it('ignores failures that are not about writing: invalid content, a store that is not open', async () => {
    const h = health();
    await fail(h, new ValidationError('alert 3: labels must be strings'));
    await fail(h, new StoreError('the store is not open', { retryable: false }));
    await fail(h, new StoreError('odd', { retryable: true, details: { reason: 'something_else' } }));
    expect(h.current()).toBeUndefined();
  });

  it('passes results and errors on unchanged', async () => {
    const h = health();
    await expect(h.track(Promise.resolve(7), () => true)).resolves.toBe(7);
    const err = full();
    await expect(h.track(Promise.reject(err), () => true)).rejects.toBe(err);
  });

  it('checks while writes fail, noting what a failed check found, and recovers when one succeeds', async () => {
    vi.useFakeTimers();
    let works = false;
    const check = vi.fn(() => (works ? Promise.resolve() : Promise.reject(new Error('still full'))));
    const h = health(check, 1000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(check).not.toHaveBeenCalled();
    await fail(h, full());
    clock = 5000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(check).toHaveBeenCalledTimes(1);
    expect(h.current()?.lastCheck).toEqual({ atMs: 5000, result: 'still full' });
    expect(h.current()?.failedWrites).toBe(1);
    works = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.current()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('lets a write that fails during a check overrule the check', async () => {
    vi.useFakeTimers();
    let finish = (): void => undefined;
    const h = health(() => new Promise<void>((resolve) => (finish = resolve)), 1000);
    await fail(h, full());
    await vi.advanceTimersByTimeAsync(1000);
    await fail(h, locked());
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.current()).toMatchObject({ reason: 'locked', failedWrites: 2 });
  });

  it('stops checking once stopped', async () => {
    vi.useFakeTimers();
    const check = vi.fn(() => Promise.reject(new Error('no')));
    const h = health(check, 1000);
    await fail(h, full());
    h.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(check).not.toHaveBeenCalled();
  });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-write-health-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'sleuth.db');
}

describe('SqliteStore.writeFailure', () => {
  it('with a writer thread: reports a lock, and notices by itself when it is released', async () => {
    const path = tempPath();
    const store = new SqliteStore({
      path,
      synchronous: 'normal',
      writeThread: true,
      busyTimeoutMs: 50,
      writeCheckIntervalMs: 50,
    });
    await store.start();
    cleanups.push(() => store.stop());
    const holder = new Database(path);
    cleanups.push(() => {
      holder.close();
    });
    await store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'before' })] }));
    expect(store.writeFailure()).toBeUndefined();
    holder.exec('BEGIN EXCLUSIVE');
    await expect(store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'during' })] }))).rejects.toThrow(
      /locked/,
    );
    expect(store.writeFailure()).toMatchObject({ reason: 'locked', code: 'SQLITE_BUSY', failedWrites: 1 });
    holder.exec('ROLLBACK');
    await expect.poll(() => store.writeFailure(), { timeout: 5000, interval: 20 }).toBeUndefined();
    expect((await store.stats()).counts.logs).toBe(1);
  });

  it('after a full database, waits for free space on the disk before trying a write', async () => {
    const store = new SqliteStore({
      path: tempPath(),
      synchronous: 'normal',
      writeCheckIntervalMs: 20,
      writeCheckMinFreeBytes: Number.MAX_SAFE_INTEGER,
    });
    await store.start();
    cleanups.push(() => store.stop());
    // SQLITE_FULL without filling a disk: the database may not grow past the pages it has.
    const db = (store as unknown as { engine: { open: { db: Database.Database } } }).engine.open.db;
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    const big = batchOf({
      logs: Array.from({ length: 200 }, (_, i) => log({ timeMs: T0 + i, body: `line ${i} `.repeat(40) })),
    });
    await expect(store.writeBatch(big)).rejects.toMatchObject({ details: { reason: 'disk_full' } });
    await expect
      .poll(() => store.writeFailure()?.lastCheck?.result, { timeout: 5000, interval: 20 })
      .toMatch(/free on the disk holding the database, less than the .* asked for before writing again/);
    expect(store.writeFailure()).toMatchObject({ reason: 'disk_full', failedWrites: 1 });
    db.pragma('max_page_count = 1073741823');
    await store.writeBatch(big);
    expect(store.writeFailure()).toBeUndefined();
  });
});
