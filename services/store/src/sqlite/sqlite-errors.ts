import { SqliteError } from 'better-sqlite3';
import { StoreError, isSleuthError } from '@sleuth/core';
import type { WriteFailureReason } from '../store';

/** Why a transient store failure happened, as `details.reason` of its StoreError. */
export type TransientReason = WriteFailureReason;

/**
 * The SQLite result codes that can clear up on their own, and what to tell the operator. A full
 * disk and a lock held by another process are the two an operator meets in practice; the message
 * says what is wrong and what to do, since it reaches HTTP clients (503) and the log as is.
 */
const TRANSIENT: Record<string, { reason: TransientReason; explain: (code: string) => string }> = {
  SQLITE_FULL: {
    reason: 'disk_full',
    explain: () =>
      'the disk holding the database is full (SQLITE_FULL): free space on it or lower ' +
      'store.retentionMaxSizeMb; writes resume once there is room',
  },
  SQLITE_BUSY: {
    reason: 'locked',
    explain: (code) =>
      `the database file is locked by another connection or process (${code}): writes resume ` +
      'once it releases the lock; look for a second Sleuth or a sqlite3 shell on the same store.dataDir',
  },
  SQLITE_LOCKED: {
    reason: 'locked',
    explain: (code) => `a table of the database is locked by another statement (${code}); retry shortly`,
  },
  SQLITE_IOERR: {
    reason: 'io_error',
    explain: (code) =>
      `the database file could not be read or written (${code}): check the disk holding it ` +
      '(full, over a file size limit, failing) and its permissions',
  },
  SQLITE_NOMEM: {
    reason: 'out_of_memory',
    explain: (code) => `SQLite ran out of memory (${code})`,
  },
};

/**
 * Wraps a failure as a coded error: Sleuth errors pass through; SQLite errors become StoreError,
 * retryable (503 over HTTP) when the condition can clear up (disk full, locked, I/O, memory) with
 * a message naming it and `details: { sqliteCode, reason }`; anything else is a non-retryable
 * StoreError carrying the original message.
 */
export function toStoreError(err: unknown, action: string): Error {
  if (isSleuthError(err)) return err;
  if (err instanceof SqliteError) {
    const base = err.code.split('_').slice(0, 2).join('_');
    const transient = TRANSIENT[base];
    if (transient) {
      return new StoreError(`${action} failed: ${transient.explain(err.code)}`, {
        retryable: true,
        cause: err,
        details: { sqliteCode: err.code, reason: transient.reason },
      });
    }
    return new StoreError(`${action} failed: ${err.message}`, {
      retryable: false,
      cause: err,
      details: { sqliteCode: err.code },
    });
  }
  return new StoreError(`${action} failed: ${err instanceof Error ? err.message : String(err)}`, {
    retryable: false,
    cause: err,
  });
}
