import type { EpochMs } from '@sleuth/core';

/**
 * Simulated time. It starts at `startMs` and only moves when the simulator advances it, so a run
 * driven by `step()` is independent of the wall clock. `tickMs` is the emission period: all
 * signals for the window (previous tick, this tick] are produced together.
 */
export class SimClock {
  readonly startMs: EpochMs;
  readonly tickMs: number;
  private now: EpochMs;
  private nextTick: EpochMs;

  constructor(startMs: EpochMs, tickMs: number) {
    this.startMs = startMs;
    this.tickMs = tickMs;
    this.now = startMs;
    this.nextTick = startMs + tickMs;
  }

  /** The current simulated time. */
  nowMs(): EpochMs {
    return this.now;
  }

  /**
   * Moves time forward by `ms` and returns the tick windows that completed on the way, in order.
   * A remainder shorter than a tick is kept and counts toward the next window.
   */
  advance(ms: number): { fromMs: EpochMs; toMs: EpochMs }[] {
    const target = this.now + Math.max(0, ms);
    const windows: { fromMs: EpochMs; toMs: EpochMs }[] = [];
    while (this.nextTick <= target) {
      windows.push({ fromMs: this.nextTick - this.tickMs, toMs: this.nextTick });
      this.nextTick += this.tickMs;
    }
    this.now = target;
    return windows;
  }
}

/** Kubernetes' timestamp format: RFC 3339 in UTC with whole seconds, e.g. `2024-05-01T12:00:00Z`. */
export function k8sTime(ms: EpochMs): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 in UTC with milliseconds, e.g. `2024-05-01T12:00:00.123Z`. */
export function isoTime(ms: EpochMs): string {
  return new Date(Math.floor(ms)).toISOString();
}
