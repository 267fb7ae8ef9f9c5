import { isSleuthError, type Logger } from '@sleuth/core';
import type { WriteFailure, WriteFailureReason } from '../store';

const REASONS: ReadonlySet<string> = new Set<WriteFailureReason>([
  'disk_full',
  'locked',
  'io_error',
  'out_of_memory',
]);

/** The write failure an error stands for: a retryable store error naming a reason that can clear up. */
function failureOf(err: unknown): Pick<WriteFailure, 'reason' | 'message' | 'code'> | undefined {
  if (!isSleuthError(err) || !err.retryable) return undefined;
  const reason = err.details?.['reason'];
  if (typeof reason !== 'string' || !REASONS.has(reason)) return undefined;
  const code = err.details?.['sqliteCode'];
  return {
    reason: reason as WriteFailureReason,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** Options of {@link WriteHealth}. */
export interface WriteHealthOptions {
  /**
   * How long after a failure, and then between checks, the store checks by itself whether writes
   * work again (ms). 0: never; only a write that succeeds ends the failure.
   */
  checkIntervalMs: number;
  /** The check: resolves when writes work again, rejects with why not. */
  check: (failure: WriteFailure) => Promise<void>;
  /** Told when writes start failing and when they work again (for the log). */
  onChange?: (failing: WriteFailure | undefined, was: WriteFailure | undefined) => void;
  now?: () => number;
}

/**
 * Whether a store's writes are failing right now, from the outcome of its writes: the last one
 * failed with a retryable error naming a {@link WriteFailureReason}, and none has succeeded since.
 * While writes fail it runs `check` every `checkIntervalMs`, so a store nobody writes to (a server
 * its orchestrator took out of rotation) still notices that it recovered.
 *
 * Lifecycle: `stop()` ends the checks (idempotent); `track` and `current` keep working.
 */
export class WriteHealth {
  private failure: WriteFailure | undefined;
  /** Bumped by every write outcome, so a check started before one does not overrule it. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: WriteHealthOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The current failure; `undefined` while writes work. */
  current(): WriteFailure | undefined {
    return this.failure === undefined ? undefined : { ...this.failure };
  }

  /**
   * Records how `write` ends and passes it on unchanged. A failure naming a reason that can clear
   * up starts or extends a failure; a success ends one when `wrote(result)` says the write had
   * something to write (an empty write succeeds even on a full disk, proving nothing).
   */
  track<T>(write: Promise<T>, wrote: (result: T) => boolean): Promise<T> {
    return write.then(
      (result) => {
        if (wrote(result)) {
          this.generation++;
          this.recovered();
        }
        return result;
      },
      (err: unknown) => {
        const failed = failureOf(err);
        if (failed) {
          this.generation++;
          this.failed(failed);
        }
        throw err;
      },
    );
  }

  /** Ends the checks; a failure is still reported until a tracked write succeeds. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts checking again after stop(), if writes are failing. */
  resume(): void {
    this.stopped = false;
    this.schedule();
  }

  private failed(f: Pick<WriteFailure, 'reason' | 'message' | 'code'>): void {
    const atMs = this.now();
    const was = this.failure;
    this.failure = {
      ...f,
      atMs,
      sinceMs: was?.sinceMs ?? atMs,
      failedWrites: (was?.failedWrites ?? 0) + 1,
      ...(was?.lastCheck ? { lastCheck: was.lastCheck } : {}),
    };
    if (!was) this.opts.onChange?.(this.current(), undefined);
    this.schedule();
  }

  private recovered(): void {
    const was = this.failure;
    if (!was) return;
    this.failure = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.onChange?.(undefined, was);
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.checking || !this.failure) return;
    if (this.opts.checkIntervalMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runCheck();
    }, this.opts.checkIntervalMs);
    this.timer.unref();
  }

  private async runCheck(): Promise<void> {
    const failure = this.failure;
    if (!failure || this.stopped) return;
    const generation = this.generation;
    this.checking = true;
    try {
      await this.opts.check({ ...failure });
      if (generation === this.generation) this.recovered();
    } catch (err) {
      if (generation === this.generation && this.failure) {
        const result = err instanceof Error ? err.message : String(err);
        this.failure = { ...this.failure, lastCheck: { atMs: this.now(), result } };
      }
    } finally {
      this.checking = false;
      this.schedule();
    }
  }
}

/** What a store logs as its writes start failing (error) and work again (info). */
export function logWriteHealth(
  log: Logger | undefined,
  path: string,
): (failing: WriteFailure | undefined, was: WriteFailure | undefined) => void {
  return (failing, was) => {
    if (failing) {
      log?.error(
        { path, reason: failing.reason, err: failing.message },
        'store writes are failing; /readyz answers 503 until one succeeds',
      );
    } else if (was) {
      const seconds = Math.round((Date.now() - was.sinceMs) / 1000);
      log?.info(
        { path, reason: was.reason, failedWrites: was.failedWrites, seconds },
        'store writes work again',
      );
    }
  };
}
