import { Worker } from 'node:worker_threads';
import { StoreError } from '@sleuth/core';
import {
  fromWire,
  type WriteOp,
  type WriterInit,
  type WriterReply,
  type WriterRequest,
} from './write-worker-protocol';

const BOOT = new URL('./write-worker-boot.mjs', import.meta.url);
const CHECKPOINTER = new URL('./checkpoint-worker.mjs', import.meta.url);
/** How often the checkpointer copies the WAL back into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export interface WriterHooks {
  /** A checkpoint failed; the writer's own autocheckpoint then keeps the WAL bounded. */
  onCheckpointError(message: string): void;
  /** The writer thread died outside stop(): no write can succeed any more. */
  onFailure(err: StoreError): void;
}

/**
 * The main thread's handle on the store's writer thread: forwards a write and resolves with its
 * result once the writer committed it. Calls are answered in order. If the thread dies, every
 * waiting and later call fails with a non-retryable StoreError instead of hanging.
 */
export class WriterThread {
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private stopping = false;
  private failure: StoreError | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly checkpointer: Worker,
    private readonly hooks: WriterHooks,
  ) {
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.fail(new StoreError(`the store's writer thread exited (code ${code})`, { retryable: false }));
        resolve();
      });
    });
    worker.on('error', (err) => {
      this.fail(
        new StoreError(`the store's writer thread failed: ${err.message}`, { retryable: false, cause: err }),
      );
    });
    worker.on('message', (r: WriterReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(fromWire(r.error));
    });
  }

  /**
   * Starts the writer thread and waits until it has opened the database, then the checkpointer
   * thread.
   */
  static async start(init: WriterInit, hooks: WriterHooks): Promise<WriterThread> {
    const worker = new Worker(BOOT, { workerData: init });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (r: WriterReply) => {
        if (r.ok) resolve();
        else reject(fromWire(r.error));
      });
      worker.once('exit', (code) =>
        reject(
          new StoreError(`the store's writer thread exited (code ${code}) while starting`, {
            retryable: false,
          }),
        ),
      );
      worker.once('error', (err) =>
        reject(
          new StoreError(`the store's writer thread failed to start: ${err.message}`, {
            retryable: false,
            cause: err,
          }),
        ),
      );
    });
    try {
      await ready;
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    const checkpointer = new Worker(CHECKPOINTER, {
      workerData: { path: init.path, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    checkpointer.on('message', (m: { error?: string }) => {
      if (m.error) hooks.onCheckpointError(m.error);
    });
    checkpointer.on('error', (err) => hooks.onCheckpointError(err.message));
    return new WriterThread(worker, checkpointer, hooks);
  }

  /** Why the thread can no longer write, once it cannot. */
  get failed(): StoreError | undefined {
    return this.failure;
  }

  call<T>(op: WriteOp, arg: unknown): Promise<T> {
    return this.send({ id: this.nextId++, op, arg }) as Promise<T>;
  }

  /** Lets running writes finish, closes the writer's connection and ends both threads. */
  async stop(): Promise<void> {
    this.stopping = true;
    const checkpointerExited = new Promise((resolve) => this.checkpointer.once('exit', resolve));
    this.checkpointer.postMessage('stop');
    if (!this.failure) await this.send({ id: this.nextId++, op: 'stop' }).catch(() => undefined);
    await this.exited;
    await checkpointerExited;
  }

  private send(req: WriterRequest): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      this.worker.postMessage(req);
    });
  }

  private fail(err: StoreError): void {
    if (!this.failure && !this.stopping) this.hooks.onFailure(err);
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
