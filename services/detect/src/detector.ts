import { createHash } from 'node:crypto';
import type { Anomaly, ResourceRef, SignalBatch } from '@sleuth/core';

/**
 * A detector consumes signals of one kind, keeps bounded state per series or resource, and
 * reports anomalies. Contract:
 * - `observe` and `tick` return only the anomalies that opened, changed (score, lastSeenMs,
 *   explanation) or ended during the call; an anomaly keeps one id for its whole life so a
 *   store upserting by id holds its latest state; `endMs` is set once, when it resolves.
 * - Time is the signals' own clock (epoch ms), never the wall clock: `tick(nowMs)` runs the
 *   checks that fire on absence (a series gone silent, a state that lasted too long).
 * - Bad records are skipped and counted, never thrown: one malformed signal must not stop
 *   the others in its batch.
 */
export interface Detector {
  /** Registry id, also written as `Anomaly.detector`: `metrics`, `log-templates`, `k8s-state`... */
  readonly id: string;
  observe(batch: SignalBatch): Anomaly[];
  tick(nowMs: number): Anomaly[];
}

/**
 * A stable anomaly id from what it is about (detector, a key naming the resource and the
 * condition) and when it started: the same episode always maps to the same id, across
 * restarts, so re-detecting after a restart updates rather than duplicates.
 */
export function anomalyId(detector: string, key: string, onsetMs: number): string {
  const h = createHash('sha256')
    .update(`${detector}\u0000${key}\u0000${Math.floor(onsetMs)}`)
    .digest('hex');
  return `anm_${h.slice(0, 24)}`;
}

/** A resource as one string for keys and maps: `cluster/namespace/Kind/name`. */
export function resourceKey(ref: ResourceRef): string {
  return `${ref.cluster}/${ref.namespace ?? ''}/${ref.kind}/${ref.name}`;
}
