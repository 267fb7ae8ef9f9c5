import { refKey, type Anomaly, type ObjectSnapshot, type SignalBatch } from '@sleuth/core';
import type { Detector } from '../detector';
import { EndedAnomalies } from './ended-anomalies';
import { K8S_STATE_DETECTOR, TrackedObject, type RuleFinding } from './object-conditions';
import { RecentWarnings } from './recent-warnings';
import type { K8sRule, RuleContext } from './rule';
import { K8S_STATE_RULES } from './state-rules';

/** Tunables of K8sStateDetector; DEFAULT_K8S_STATE_OPTIONS fills what is not given. */
export interface K8sStateDetectorOptions {
  /** The rules by id (the id is part of each anomaly's key). Default: every rule in K8S_STATE_RULES. */
  rules: Readonly<Record<string, K8sRule>>;
  /** An open anomaly that did not change is re-sent with a newer lastSeenMs at most this often (ms). */
  refreshMs: number;
  /** Objects with open conditions kept at most; beyond, new ones are dropped and counted. */
  maxTracked: number;
  /** How long a Warning event counts as recent for the rules that consult events (ms). */
  warningTtlMs: number;
}

/** Every rule; refresh once a minute; 20,000 tracked objects; Unhealthy events count for 5 min. */
export const DEFAULT_K8S_STATE_OPTIONS: K8sStateDetectorOptions = {
  rules: K8S_STATE_RULES,
  refreshMs: 60_000,
  maxTracked: 20_000,
  warningTtlMs: 5 * 60_000,
};

/** What the detector holds and what it refused, for /metrics and tests. */
export interface K8sStateDetectorStats {
  /** Objects with open conditions (each keeps its latest snapshot). */
  tracked: number;
  /** Snapshots skipped because they could not be read. */
  skipped: number;
  /** Objects with new conditions not tracked because `maxTracked` was reached. */
  dropped: number;
  /** Remembered Warning events (object + reason). */
  warnings: number;
}

/**
 * Kubernetes state detector (`k8s-state`): evaluates each object snapshot with the rules for its
 * kind (K8S_STATE_RULES: crash loops, OOM kills, image pulls, unschedulable pods, failing
 * probes, evictions, node conditions, PVCs, Deployments, StatefulSets, DaemonSets, HPAs, Jobs)
 * and turns their findings into anomalies: opened once a condition lasted its grace, updated
 * while it lasts, ended once (endMs) when a later snapshot no longer shows it or the object is
 * deleted. Keeps the latest snapshot only of objects with open conditions; `tick` re-evaluates
 * those, so graces expire and old conditions end without a new snapshot.
 */
export class K8sStateDetector implements Detector {
  readonly id = K8S_STATE_DETECTOR;
  private readonly opts: K8sStateDetectorOptions;
  private readonly byKind = new Map<string, { id: string; rule: K8sRule }[]>();
  private readonly tracked = new Map<string, TrackedObject>();
  private readonly warnings: RecentWarnings;
  private readonly ended = new EndedAnomalies();
  private skipped = 0;
  private dropped = 0;

  constructor(options: Partial<K8sStateDetectorOptions> = {}) {
    this.opts = { ...DEFAULT_K8S_STATE_OPTIONS, ...options };
    const reasons = new Set<string>();
    for (const [id, rule] of Object.entries(this.opts.rules)) {
      const list = this.byKind.get(rule.kind) ?? [];
      list.push({ id, rule });
      this.byKind.set(rule.kind, list);
      for (const r of rule.warningReasons ?? []) reasons.add(r);
    }
    this.warnings = new RecentWarnings(reasons, this.opts.warningTtlMs);
  }

  observe(batch: SignalBatch): Anomaly[] {
    // Events first: a rule reading a pod in this batch sees the probe failures that came with it.
    for (const e of batch.events) {
      try {
        this.warnings.add(e);
      } catch {
        this.skipped++;
      }
    }
    const out: Anomaly[] = [];
    for (const snapshot of batch.objects) {
      try {
        out.push(...this.observeObject(snapshot));
      } catch {
        this.skipped++;
      }
    }
    return out;
  }

  tick(nowMs: number): Anomaly[] {
    this.warnings.prune(nowMs);
    const out: Anomaly[] = [];
    for (const t of this.tracked.values()) {
      if (nowMs < t.snapshot.timeMs) continue;
      const findings = this.findings(t.snapshot, nowMs);
      if (findings) out.push(...this.reconcile(t, findings, nowMs));
    }
    return out;
  }

  stats(): K8sStateDetectorStats {
    return {
      tracked: this.tracked.size,
      skipped: this.skipped,
      dropped: this.dropped,
      warnings: this.warnings.size,
    };
  }

  private observeObject(snapshot: ObjectSnapshot): Anomaly[] {
    if (!this.byKind.has(snapshot.ref.kind)) return [];
    const key = refKey(snapshot.ref);
    let t = this.tracked.get(key);
    if (t && snapshot.timeMs < t.snapshot.timeMs) return [];
    const out: Anomaly[] = [];
    const replaced = t?.snapshot.ref.uid && snapshot.ref.uid && t.snapshot.ref.uid !== snapshot.ref.uid;
    if (t && (snapshot.deleted || replaced)) {
      out.push(...t.endAll(snapshot.timeMs, this.ended));
      this.tracked.delete(key);
      t = undefined;
    }
    if (snapshot.deleted) return out;
    const findings = this.findings(snapshot, snapshot.timeMs);
    if (!findings) return out;
    if (!t) {
      if (findings.length === 0) return out;
      if (this.tracked.size >= this.opts.maxTracked) {
        this.dropped++;
        return out;
      }
      t = new TrackedObject(key, snapshot);
      this.tracked.set(key, t);
    }
    t.snapshot = snapshot;
    out.push(...this.reconcile(t, findings, snapshot.timeMs));
    return out;
  }

  private reconcile(t: TrackedObject, findings: RuleFinding[], nowMs: number): Anomaly[] {
    const out = t.reconcile(findings, nowMs, { refreshMs: this.opts.refreshMs, ended: this.ended });
    if (t.idle) this.tracked.delete(t.key);
    return out;
  }

  /** Every rule's findings for the snapshot at `nowMs`, or undefined (counted) if it cannot be read. */
  private findings(snapshot: ObjectSnapshot, nowMs: number): RuleFinding[] | undefined {
    const key = refKey(snapshot.ref);
    const ctx: RuleContext = {
      ref: snapshot.ref,
      nowMs,
      recentWarning: (reason) => this.warnings.get(key, reason, nowMs),
    };
    try {
      const out: RuleFinding[] = [];
      for (const { id, rule } of this.byKind.get(snapshot.ref.kind) ?? []) {
        for (const f of rule.evaluate(snapshot.object, ctx)) out.push({ ...f, ruleId: id });
      }
      return out;
    } catch {
      // One rule failing must not end the conditions the others see: the snapshot is skipped whole.
      this.skipped++;
      return undefined;
    }
  }
}
