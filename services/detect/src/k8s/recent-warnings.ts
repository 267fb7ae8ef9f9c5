import { refKey, type K8sEvent } from '@sleuth/core';
import type { WarningSummary } from './rule';

/** Event series remembered per object and reason, to count repeats of each once. */
const MAX_SERIES = 32;

interface Entry {
  summary: WarningSummary;
  /** The latest count of each event series (uid, else message). */
  series: Map<string, number>;
}

/**
 * Recent Warning events of a few reasons per involved object (the state rules consult them, e.g.
 * Unhealthy for failing probes). Bounded in count (least recently updated forgotten first) and
 * in age (`prune`).
 */
export class RecentWarnings {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly reasons: ReadonlySet<string>,
    private readonly ttlMs = 5 * 60_000,
    private readonly capacity = 10_000,
  ) {}

  /** Remembers a Warning event if its reason is one the rules consult. */
  add(e: K8sEvent): void {
    if (e.type !== 'Warning' || !this.reasons.has(e.reason)) return;
    const key = `${refKey(e.involved)}\u0000${e.reason}`;
    const entry = this.entries.get(key) ?? {
      summary: { message: e.message, count: 0, lastMs: e.lastMs },
      series: new Map<string, number>(),
    };
    // An event series repeats with a growing count: add only what is new in it.
    const id = e.uid ?? e.message;
    const seen = entry.series.get(id) ?? 0;
    entry.series.delete(id);
    entry.series.set(id, Math.max(seen, e.count));
    if (entry.series.size > MAX_SERIES) entry.series.delete(entry.series.keys().next().value ?? '');
    entry.summary.count += Math.max(0, e.count - seen);
    if (e.lastMs >= entry.summary.lastMs) {
      entry.summary.lastMs = e.lastMs;
      entry.summary.message = e.message;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value ?? '');
  }

  /** The warnings of `reason` about the object named by `key` (refKey) seen within the TTL of `nowMs`. */
  get(key: string, reason: string, nowMs: number): WarningSummary | undefined {
    const w = this.entries.get(`${key}\u0000${reason}`)?.summary;
    return w && nowMs - w.lastMs <= this.ttlMs ? { ...w } : undefined;
  }

  /** Forgets warnings older than the TTL. */
  prune(nowMs: number): void {
    for (const [key, w] of this.entries) if (nowMs - w.summary.lastMs > this.ttlMs) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
