import type { Anomaly, K8sEvent, ObjectSnapshot, SignalBatch } from '@sleuth/core';
import { seededRandom } from '@sleuth/core';
import type { Detector } from '../../detector';
import { T0, sec, type Kube } from './kube-objects';

/** Snapshots, events and a clock to run a detector through: the time side of the fixtures. */

/** The object as seen at `timeMs` (or its tombstone). */
export function at(k: Kube, timeMs: number, deleted = false): ObjectSnapshot {
  return { ref: k.ref, apiVersion: k.apiVersion, timeMs, deleted, object: k.object };
}

export function batch(objects: ObjectSnapshot[], events: K8sEvent[] = []): SignalBatch {
  return { logs: [], metrics: [], spans: [], events, objects };
}

/** A Warning (or Normal) event about `about`. */
export function event(
  about: Kube,
  reason: string,
  o: {
    message?: string;
    firstMs?: number;
    lastMs?: number;
    count?: number;
    uid?: string;
    type?: 'Warning' | 'Normal';
  } = {},
): K8sEvent {
  const lastMs = o.lastMs ?? T0;
  const e: K8sEvent = {
    cluster: about.ref.cluster,
    involved: about.ref,
    type: o.type ?? 'Warning',
    reason,
    message: o.message ?? `${reason} happened`,
    count: o.count ?? 1,
    firstMs: o.firstMs ?? lastMs,
    lastMs,
    uid: o.uid ?? `ev-${about.ref.name}-${reason}`,
  };
  if (about.ref.namespace !== undefined) e.namespace = about.ref.namespace;
  return e;
}

/** One step of a timeline: the objects as seen at `atMs`, with events that came along. */
export function step(
  atMs: number,
  kubes: Kube[],
  events: K8sEvent[] = [],
): { atMs: number; batch: SignalBatch } {
  return {
    atMs,
    batch: batch(
      kubes.map((k) => at(k, atMs)),
      events,
    ),
  };
}

/**
 * Runs a detector through a timeline: each step is a batch observed at its time, with ticks every
 * `tickMs` in between (and up to `untilMs`). Returns every anomaly it reported, in order.
 */
export function play(
  d: Detector,
  steps: { atMs: number; batch: SignalBatch }[],
  opts: { tickMs?: number; untilMs?: number } = {},
): Anomaly[] {
  const tickMs = opts.tickMs ?? sec(10);
  const out: Anomaly[] = [];
  const sorted = [...steps].sort((a, b) => a.atMs - b.atMs);
  const start = sorted[0]?.atMs ?? T0;
  const end = Math.max(opts.untilMs ?? start, sorted.at(-1)?.atMs ?? start);
  let i = 0;
  for (let now = start; now <= end; now += tickMs) {
    while (i < sorted.length && (sorted[i]?.atMs ?? Infinity) <= now)
      out.push(...d.observe(sorted[i++]!.batch));
    out.push(...d.tick(now));
  }
  while (i < sorted.length) out.push(...d.observe(sorted[i++]!.batch));
  return out;
}

/** The anomalies by id, each at its latest state. */
export function latest(anomalies: readonly Anomaly[]): Map<string, Anomaly> {
  const m = new Map<string, Anomaly>();
  for (const a of anomalies) m.set(a.id, a);
  return m;
}

export const rng = seededRandom;

/** Values of any shape typed as `T`, as a JavaScript caller or a corrupt record could hand them over. */
export function untyped<T>(values: unknown[]): T[] {
  return values.filter((_v): _v is T => true);
}
