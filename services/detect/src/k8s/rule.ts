import type { ResourceRef } from '@sleuth/core';

/** How bad a condition is; the anomaly's score follows from it. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Anomaly score per severity, the same for state rules and Warning events. */
export const SEVERITY_SCORE = {
  critical: 0.9,
  high: 0.8,
  medium: 0.6,
  low: 0.4,
} as const satisfies Record<Severity, number>;

/**
 * How long a condition that blinks (a deployment's availability under repeated OOM kills, a
 * flapping probe or node) must stay away before its anomaly ends: one episode, not one per blink.
 * The end time is still when it went away.
 */
export const FLAP_GUARD_MS = 2 * 60_000;

/** Recent Warning events of one reason about one object, as the detector remembers them. */
export interface WarningSummary {
  /** The latest message. */
  message: string;
  /** Occurrences seen (sum of the events' counts). */
  count: number;
  /** Epoch ms of the latest occurrence. */
  lastMs: number;
}

/** What a rule knows besides the object itself. */
export interface RuleContext {
  /** The object evaluated. */
  readonly ref: ResourceRef;
  /** The time of the evaluation (epoch ms): the snapshot's time, or a later tick. */
  readonly nowMs: number;
  /**
   * Warning events of `reason` about this object in the last few minutes; only reasons a rule
   * lists in `warningReasons` are remembered.
   */
  recentWarning(reason: string): WarningSummary | undefined;
}

/**
 * One open condition a rule sees on an object. The detector turns it into an anomaly once it has
 * lasted `graceMs`, keeps that anomaly while the rule keeps reporting the same `key`, and ends it
 * once the key has been absent for `clearAfterMs`.
 */
export interface Finding {
  /** Names the condition within the object (a container, a condition type); stable while it lasts. */
  key: string;
  /**
   * When the condition started, from the object's own timestamps (a condition's
   * lastTransitionTime, a container's finishedAt); absent when the object does not say, and the
   * detector then uses the time it first saw the condition.
   */
  onsetMs?: number | undefined;
  /** Reported only once it lasted this long since onset (ms); 0 by default. */
  graceMs?: number;
  /** Ended only once it has been absent this long (ms), for conditions that blink; 0 by default. */
  clearAfterMs?: number;
  severity: Severity;
  /** Short: `CrashLoopBackOff: container api in pod shop/api-7f9 (restarts 5)`. */
  title: string;
  /** The observed fields: reason, message, counts, exit codes, times. */
  explanation: string;
  /** The field that shows it: `status.containerStatuses[name=api].state.waiting.reason`. */
  field: string;
}

/**
 * One Kubernetes failure mode read from object state (like k8sgpt's analyzers): given an object
 * of `kind`, the conditions of that mode it shows now. Pure and cheap: called on every snapshot
 * of the kind and again on ticks for objects with open conditions. May throw UnreadableObject.
 */
export interface K8sRule {
  /** The Kubernetes kind the rule reads. */
  readonly kind: string;
  /** Warning event reasons the rule consults through `RuleContext.recentWarning`. */
  readonly warningReasons?: readonly string[];
  evaluate(object: Record<string, unknown>, ctx: RuleContext): Finding[];
}
