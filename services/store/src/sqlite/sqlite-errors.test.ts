import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '@sleuth/core';
import { toStoreError } from './sqlite-errors';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('toStoreError', () => {
  it('names a full disk, retryable, with the SQLite code', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    // The page limit makes SQLite fail exactly as it does when the disk is out of space.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const err = toStoreError(
      thrown(() => db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(10_000))),
      'writing a batch',
    );
    db.close();
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({
      statusCode: 503,
      retryable: true,
      details: { sqliteCode: 'SQLITE_FULL', reason: 'disk_full' },
    });
    expect(err.message).toMatch(/^writing a batch failed: the disk holding the database is full/);
  });

  it('names a lock another connection holds, retryable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sleuth-errors-'));
    dirs.push(dir);
    const holder = new Database(join(dir, 'a.db'));
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (x TEXT)');
    const writer = new Database(join(dir, 'a.db'));
    writer.pragma('busy_timeout = 0');
    holder.exec('BEGIN EXCLUSIVE');
    const err = toStoreError(
      thrown(() => writer.prepare('INSERT INTO t VALUES (?)').run('x')),
      'writing a batch',
    );
    holder.exec('ROLLBACK');
    writer.close();
    holder.close();
    expect(err).toMatchObject({
      statusCode: 503,
      retryable: true,
      details: { sqliteCode: 'SQLITE_BUSY', reason: 'locked' },
    });
    expect(err.message).toMatch(/database file is locked by another connection or process \(SQLITE_BUSY\)/);
  });

  it('keeps other SQLite failures permanent, with their own message', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT NOT NULL)');
    const err = toStoreError(
      thrown(() => db.prepare('INSERT INTO t VALUES (NULL)').run()),
      'writing a batch',
    );
    db.close();
    expect(err).toMatchObject({
      statusCode: 500,
      retryable: false,
      details: { sqliteCode: 'SQLITE_CONSTRAINT_NOTNULL' },
    });
    expect(err.message).toMatch(/NOT NULL constraint failed/);
  });

  it('passes coded errors through and wraps anything else as permanent', () => {
    const invalid = new ValidationError('logs[1]: bad time');
    expect(toStoreError(invalid, 'writing a batch')).toBe(invalid);
    expect(toStoreError(new Error('boom'), 'reading')).toMatchObject({
      message: 'reading failed: boom',
      retryable: false,
    });
  });
});
