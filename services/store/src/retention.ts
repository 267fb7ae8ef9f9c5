import type { Component, Logger } from '@sleuth/core';
import type { RetentionPolicy, Store } from './store';

/** Options of {@link RetentionScheduler}. */
export interface RetentionSchedulerOptions {
  store: Pick<Store, 'enforceRetention'>;
  /** Time between the end of one run and the start of the next, in ms. */
  intervalMs: number;
  /** The policy for each run, read when the run starts (so `nowMs` is current). */
  policy: () => RetentionPolicy;
  logger: Logger;
}

/**
 * Runs `enforceRetention` in the background every `intervalMs`, first one interval after
 * `start()`. Runs never overlap. Each run logs what it deleted; a failed run is logged and the
 * next one still happens: retention never crashes the process. `stop()` cancels the timer and
 * waits for a run in progress; it is idempotent and safe without `start()`.
 */
export class RetentionScheduler implements Component {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly opts: RetentionSchedulerOptions) {
    this.log = opts.logger.child({ component: 'retention' });
  }

  start(signal?: AbortSignal): Promise<void> {
    if (this.timer || this.stopped) return Promise.resolve();
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.schedule();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs retention now (unless a run is in progress) and resolves when it is done. */
  runOnce(): Promise<void> {
    this.running ??= this.enforce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce().then(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  private async enforce(): Promise<void> {
    const started = Date.now();
    try {
      const policy = this.opts.policy();
      const report = await this.opts.store.enforceRetention(policy);
      const d = report.deleted;
      const total = d.logs + d.metrics + d.spans + d.events + d.objects;
      this.log[total > 0 ? 'info' : 'debug'](
        {
          deleted: report.deleted,
          bytesBefore: report.bytesBefore,
          bytesAfter: report.bytesAfter,
          durationMs: Date.now() - started,
        },
        total > 0 ? 'retention deleted old signals' : 'retention found nothing to delete',
      );
    } catch (err) {
      this.log.error(
        { err, durationMs: Date.now() - started },
        'retention run failed; will retry next interval',
      );
    }
  }
}
