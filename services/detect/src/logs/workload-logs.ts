import type { Anomaly, LogRecord, ResourceRef } from '@sleuth/core';

/** A log line kept as evidence: the record's store id (when it has one) and its message. */
export interface Example {
  id: string | undefined;
  text: string;
}

/** An open anomaly and the ordinary windows seen since it last fired. */
export interface Episode {
  anomaly: Anomaly;
  quiet: number;
}

/** One template's figures in one workload. */
export interface TemplateCounts {
  id: string;
  /** Lines in the current window. */
  count: number;
  /** Usual lines per window (exponentially weighted over closed windows, zeros included). */
  usual: number;
  /** Windows in which the template occurred since it was new; counts toward learning it. */
  seenWindows: number;
  examples: Example[];
  novel: Episode | undefined;
  burst: Episode | undefined;
}

/** What a workload logs, window by window, with its usual volume and its open anomalies. */
export interface WorkloadLogs {
  key: string;
  ref: ResourceRef;
  firstMs: number;
  lastMs: number;
  /** Index of the current window (`floor(timeMs / windowMs)`). */
  window: number;
  total: number;
  errors: number;
  usualTotal: number;
  usualErrors: number;
  errorExamples: Example[];
  /** Error lines per template in the current window, to name the loudest. */
  errorTemplates: Map<string, number>;
  templates: Map<string, TemplateCounts>;
  errorBurst: Episode | undefined;
  silence: Episode | undefined;
}

export function newWorkload(key: string, ref: ResourceRef, timeMs: number, window: number): WorkloadLogs {
  return {
    key,
    ref,
    firstMs: timeMs,
    lastMs: timeMs,
    window,
    total: 0,
    errors: 0,
    usualTotal: 0,
    usualErrors: 0,
    errorExamples: [],
    errorTemplates: new Map(),
    templates: new Map(),
    errorBurst: undefined,
    silence: undefined,
  };
}

export function newTemplateCounts(id: string): TemplateCounts {
  return {
    id,
    count: 0,
    usual: 0,
    seenWindows: 0,
    examples: [],
    novel: undefined,
    burst: undefined,
  };
}

/** Folds a window's `count`, then `empty` windows with none, into a usual count per window. */
export function fold(usual: number, count: number, empty: number, alpha: number): number {
  const next = usual * (1 - alpha) + count * alpha;
  return empty > 0 ? next * (1 - alpha) ** empty : next;
}

/** Evidence ids: the ones an anomaly has, then new examples' ids, up to `max`. */
export function mergeIds(ids: readonly string[], examples: readonly Example[], max: number): string[] {
  const out = ids.slice(0, max);
  for (const e of examples) {
    if (out.length >= max) break;
    if (e.id !== undefined && !out.includes(e.id)) out.push(e.id);
  }
  return out;
}

/** Keeps up to `max` examples, the first ones of the window. */
export function keepExample(examples: Example[], record: LogRecord, max: number, maxChars: number): void {
  if (examples.length >= max) return;
  examples.push({
    id: record.id,
    text: record.body.length > maxChars ? `${record.body.slice(0, maxChars)}…` : record.body,
  });
}

/** The evidence record ids of some examples (those stored so far). */
export function exampleIds(examples: readonly Example[]): string[] {
  const ids: string[] = [];
  for (const e of examples) if (e.id !== undefined) ids.push(e.id);
  return ids;
}

/** `Deployment shop/checkout` */
export function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
