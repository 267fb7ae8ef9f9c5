import type { Anomaly, ObjectSnapshot } from '@sleuth/core';
import { anomalyId } from '../detector';
import type { EndedAnomalies } from './ended-anomalies';
import { clip } from './kube-shapes';
import { SEVERITY_SCORE, type Finding } from './rule';

/** The Kubernetes state detector's registry id, written as `Anomaly.detector`. */
export const K8S_STATE_DETECTOR = 'k8s-state';

/** A finding with the id of the rule that reported it. */
export interface RuleFinding extends Finding {
  ruleId: string;
}

/** What reconciling needs from the detector. */
export interface ReconcileOptions {
  /** An anomaly whose content did not change is re-sent (with a newer lastSeenMs) at most this often. */
  refreshMs: number;
  ended: EndedAnomalies;
}

interface Condition {
  firstSeenMs: number;
  onsetMs: number;
  clearAfterMs: number;
  /** The anomaly's latest state, once it was reported (after its grace). */
  anomaly?: Anomaly;
  lastEmitMs: number;
  /** Since when the rule no longer reports it (it ends after clearAfterMs). */
  absentSinceMs?: number;
}

/**
 * A change worth sending at once: title (which carries the key numbers, like restarts), score or
 * field. An explanation that alone changed (a probe failure count) goes with the next refresh.
 */
const changed = (a: Anomaly, b: Anomaly): boolean =>
  a.title !== b.title ||
  a.score !== b.score ||
  (a.signal.kind === 'object' && b.signal.kind === 'object' && a.signal.field !== b.signal.field);

/**
 * The open conditions of one object and its latest snapshot: what the detector keeps per object,
 * and only while some condition is open or waiting out its grace.
 */
export class TrackedObject {
  private readonly conditions = new Map<string, Condition>();

  constructor(
    /** `cluster/namespace/Kind/name`. */
    readonly key: string,
    public snapshot: ObjectSnapshot,
  ) {}

  /** True when nothing is open: the object can be forgotten. */
  get idle(): boolean {
    return this.conditions.size === 0;
  }

  /**
   * Merges what the rules see at `nowMs` into the open conditions; returns the anomalies that
   * opened, changed (or are due a refresh) or ended.
   */
  reconcile(findings: readonly RuleFinding[], nowMs: number, opts: ReconcileOptions): Anomaly[] {
    const out: Anomaly[] = [];
    const present = new Set<string>();
    for (const f of findings) {
      const key = `${this.key}/${f.ruleId}/${f.key}`;
      if (present.has(key)) continue;
      present.add(key);
      let c = this.conditions.get(key);
      if (!c) {
        c = { firstSeenMs: nowMs, onsetMs: nowMs, clearAfterMs: 0, lastEmitMs: -Infinity };
        this.conditions.set(key, c);
      }
      c.absentSinceMs = undefined;
      c.clearAfterMs = f.clearAfterMs ?? 0;
      if (!c.anomaly) {
        // An onset from the object's own clock, never later than when the detector first saw it.
        c.onsetMs = Math.min(f.onsetMs ?? c.firstSeenMs, c.firstSeenMs);
        if (nowMs - c.onsetMs < (f.graceMs ?? 0)) continue;
        c.anomaly = this.build(this.freshId(key, c, nowMs, opts.ended), c.onsetMs, f, nowMs);
        c.lastEmitMs = nowMs;
        out.push(c.anomaly);
        continue;
      }
      const next = this.build(c.anomaly.id, c.anomaly.onsetMs, f, nowMs);
      if (changed(c.anomaly, next) || nowMs - c.lastEmitMs >= opts.refreshMs) {
        c.lastEmitMs = nowMs;
        out.push(next);
      }
      c.anomaly = next;
    }
    for (const [key, c] of this.conditions) {
      if (present.has(key)) continue;
      if (!c.anomaly) {
        this.conditions.delete(key);
        continue;
      }
      c.absentSinceMs ??= nowMs;
      if (nowMs - c.absentSinceMs >= c.clearAfterMs) {
        out.push(this.end(c.anomaly, c.absentSinceMs, opts.ended));
        this.conditions.delete(key);
      }
    }
    return out;
  }

  /** Ends every reported condition (the object was deleted or replaced at `atMs`). */
  endAll(atMs: number, ended: EndedAnomalies): Anomaly[] {
    const out: Anomaly[] = [];
    for (const c of this.conditions.values()) {
      if (c.anomaly) out.push(this.end(c.anomaly, c.absentSinceMs ?? atMs, ended));
    }
    this.conditions.clear();
    return out;
  }

  private end(a: Anomaly, atMs: number, ended: EndedAnomalies): Anomaly {
    ended.add(a.id);
    return { ...a, endMs: Math.max(atMs, a.lastSeenMs) };
  }

  /** The id for this onset, unless an anomaly with it already ended; then a later onset. */
  private freshId(key: string, c: Condition, nowMs: number, ended: EndedAnomalies): string {
    for (const onset of [c.onsetMs, c.firstSeenMs, nowMs]) {
      const id = anomalyId(K8S_STATE_DETECTOR, key, onset);
      if (!ended.has(id)) {
        c.onsetMs = onset;
        return id;
      }
    }
    c.onsetMs = nowMs;
    return anomalyId(K8S_STATE_DETECTOR, `${key}#${nowMs}`, nowMs);
  }

  private build(id: string, onsetMs: number, f: RuleFinding, nowMs: number): Anomaly {
    const ref = this.snapshot.ref;
    return {
      id,
      detector: K8S_STATE_DETECTOR,
      resource: ref,
      signal: { kind: 'object', ref, field: f.field, timeMs: this.snapshot.timeMs },
      onsetMs,
      lastSeenMs: nowMs,
      score: SEVERITY_SCORE[f.severity],
      title: clip(f.title, 500),
      explanation: clip(f.explanation, 4000),
    };
  }
}
