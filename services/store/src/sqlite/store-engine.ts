import type { Database } from 'better-sqlite3';
import { StoreError, type Logger } from '@sleuth/core';
import type { RetentionPolicy, RetentionReport, StoreStats, WriteFailure } from '../store';
import { openDatabase, type ConnectionOptions } from './connection';
import { migrate } from './migrations';
import { OpenStore, ReaderState } from './open-store';
import { toStoreError } from './sqlite-errors';
import { readStats } from './store-stats';
import { checkWrites, probeWrite } from './write-check';
import { WriteHealth, logWriteHealth } from './write-health';
import type { WriteOp } from './write-worker-protocol';
import { WriterThread } from './writer-thread';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions extends ConnectionOptions {
  /** Where the store reports migrations and failures; silent when absent. */
  logger?: Logger;
  /**
   * Write on a dedicated thread with its own connection (what the server does): writes no longer
   * block the event loop, and decoding requests and writing batches use two cores. Reads stay on
   * the calling thread's connection, which WAL lets run beside the writer. Default false: every
   * call runs on the calling thread.
   */
  writeThread?: boolean;
  /**
   * While writes fail for a reason that can clear up (see `writeFailure()`), how often the store
   * checks by itself whether they work again, ms (default 5000; 0: never, only a write that
   * succeeds ends the failure).
   */
  writeCheckIntervalMs?: number;
  /**
   * Room the database must have to grow before a store whose writes failed for want of it (a full
   * disk, an I/O error such as a file size limit) tries a write again, bytes: free space on the
   * disk, and below the process's file size limit (default 16 MiB: room for a few group commits,
   * so a small write that happens to fit does not announce a recovery the next batch disproves).
   */
  writeCheckMinFreeBytes?: number;
}

const WRITE_CHECK_INTERVAL_MS = 5000;
const WRITE_CHECK_MIN_FREE_BYTES = 16 * 1024 * 1024;
const ALWAYS = (): boolean => true;

/**
 * With a checkpointer thread, the writer checkpoints itself only past this many WAL pages (64 MiB
 * at 4 KiB pages): a backstop that keeps the WAL bounded if the checkpointer falls behind.
 */
const WRITER_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * What every call of SqliteStore goes through: the open connection, the writer thread when there is
 * one, the writes in flight that stop() waits for, and the outcome of writes that readiness reports
 * (write-health.ts). SqliteStore says what each call reads or writes; this says where and how it runs.
 */
export class StoreEngine {
  private open: OpenStore | undefined;
  private writer: WriterThread | undefined;
  private reader: ReaderState | undefined;
  private stopping = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly log: Logger | undefined;
  private readonly health: WriteHealth;

  constructor(private readonly opts: SqliteStoreOptions) {
    this.log = opts.logger?.child({ component: 'sqlite-store' });
    const need = opts.writeCheckMinFreeBytes ?? WRITE_CHECK_MIN_FREE_BYTES;
    this.health = new WriteHealth({
      checkIntervalMs: opts.writeCheckIntervalMs ?? WRITE_CHECK_INTERVAL_MS,
      check: (failure) => checkWrites(failure, opts.path, need, () => this.probeWrite()),
      onChange: logWriteHealth(this.log, opts.path),
    });
  }

  async start(): Promise<void> {
    if (this.open) return;
    this.stopping = false;
    this.health.resume();
    let db: Database | undefined;
    let open: OpenStore;
    try {
      db = openDatabase(this.opts);
      const applied = migrate(db);
      if (applied.length > 0) this.log?.info({ path: this.opts.path, applied }, 'store schema migrated');
      open = new OpenStore(db, () => this.stopping);
    } catch (err) {
      db?.close();
      throw toStoreError(err, `opening the store at ${this.opts.path}`);
    }
    if (this.opts.writeThread) {
      if (this.opts.path === ':memory:') {
        db.close();
        throw new StoreError('an in-memory store cannot use a writer thread: it has no file to share', {
          retryable: false,
        });
      }
      try {
        this.writer = await WriterThread.start(
          {
            path: this.opts.path,
            synchronous: this.opts.synchronous,
            walAutoCheckpointPages: WRITER_AUTOCHECKPOINT_PAGES,
            ...(this.opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.opts.busyTimeoutMs }),
          },
          {
            onCheckpointError: (message) =>
              this.log?.warn({ path: this.opts.path, err: message }, 'WAL checkpoint failed'),
            onFailure: (err) =>
              this.log?.error(
                { path: this.opts.path, err: err.message },
                'the store can no longer write: its writer thread died; restart Sleuth',
              ),
          },
        );
      } catch (err) {
        db.close();
        throw toStoreError(err, `starting the store's writer thread for ${this.opts.path}`);
      }
      // From here on this connection only reads: a write here would contend with the writer.
      db.pragma('query_only = ON');
      this.reader = new ReaderState(open);
    }
    this.open = open;
  }

  async stop(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.stopping = true;
    this.health.stop();
    // The writer first: it makes a running retention sweep give up, then finishes.
    await this.writer?.stop();
    await Promise.allSettled(this.inflight);
    if (this.open !== open) return;
    this.open = undefined;
    this.writer = undefined;
    this.reader = undefined;
    open.db.close();
  }

  enforceRetention(policy: RetentionPolicy): Promise<RetentionReport> {
    const sweep = this.writer
      ? this.forward<RetentionReport>('enforceRetention', policy)
      : this.sweepHere(policy);
    // A sweep that deleted nothing may have written nothing either.
    return this.health.track(sweep, (r) => Object.values(r.deleted).some((n) => n > 0));
  }

  private async sweepHere(policy: RetentionPolicy): Promise<RetentionReport> {
    const s = this.require();
    const sweep = s.retention.enforce(policy);
    this.inflight.add(sweep);
    try {
      return await sweep;
    } catch (err) {
      throw toStoreError(err, 'enforcing retention');
    } finally {
      this.inflight.delete(sweep);
    }
  }

  /** Also how readiness is judged: it fails once the writer thread cannot write any more. */
  stats(): Promise<StoreStats> {
    const writerFailure = this.writer?.failed;
    if (writerFailure) return Promise.reject(writerFailure);
    return this.run('reading stats', (s) => readStats(s.db));
  }

  writeFailure(): WriteFailure | undefined {
    return this.health.current();
  }

  /**
   * A write that changes nothing (see write-check.ts), on the writer thread when there is one:
   * resolves once a write commits, rejects with the StoreError a write would meet. How the store
   * checks whether failing writes work again; not part of Store.
   */
  probeWrite(): Promise<void> {
    if (this.writer) return this.forward('probeWrite', undefined);
    return this.run('checking that writes work', (s) => probeWrite(s.db));
  }

  /** A write, on the writer thread when there is one, else here; its outcome kept for writeFailure(). */
  write<T>(
    op: WriteOp,
    arg: unknown,
    action: string,
    here: (s: OpenStore) => T,
    wrote: (result: T) => boolean = ALWAYS,
  ): Promise<T> {
    const call = this.writer ? this.forward<T>(op, arg) : this.run(action, here);
    return this.health.track(call, wrote);
  }

  private require(): OpenStore {
    if (!this.open || this.stopping) {
      throw new StoreError('the store is not open: call start() first (or it was stopped)', {
        retryable: false,
      });
    }
    return this.open;
  }

  /** A write, sent to the writer thread; tracked so stop() waits for it. */
  private forward<T>(op: WriteOp, arg: unknown): Promise<T> {
    const writer = this.writer;
    try {
      this.require();
    } catch (err) {
      return Promise.reject(toStoreError(err, 'writing'));
    }
    if (!writer)
      return Promise.reject(new StoreError('the store has no writer thread', { retryable: false }));
    const call = writer.call<T>(op, arg);
    this.inflight.add(call);
    const done = (): void => {
      this.inflight.delete(call);
    };
    call.then(done, done);
    return call;
  }

  /** A read (or, without a writer thread, any call) on this thread's connection. */
  run<T>(action: string, fn: (s: OpenStore) => T): Promise<T> {
    try {
      const open = this.require();
      this.reader?.catchUp();
      return Promise.resolve(fn(open));
    } catch (err) {
      return Promise.reject(toStoreError(err, action));
    }
  }
}
