import { primaryRef, type ResourceRef, type SignalSource } from '@sleuth/core';

export interface LogDetectorOptions {
  /** Width of a counting window. */
  windowMs: number;
  /** A window is closed by `tick` once the signal clock is this far past its end. */
  graceMs: number;
  /** From a workload's first line: no anomaly until its usual logs are learned. */
  learningMs: number;
  /** Weight of the newest window in the usual counts (0.05: about the last 20 windows). */
  alpha: number;
  /** A template's lines in one window this many times its usual count, and at least `minBurst`. */
  burstFactor: number;
  minBurst: number;
  /** Error and fatal lines in one window this many times the usual, and at least `minErrors`. */
  errorFactor: number;
  minErrors: number;
  /** Floor of a usual count in the ratio tests, so a rare message needs a real burst. */
  minUsual: number;
  /** Ordinary windows that end a burst, or a new message that stopped occurring. */
  quietWindows: number;
  /** Windows a new message occurs in before it is usual and its anomaly ends. */
  learnedAfterWindows: number;
  /** A workload that usually logs this many lines per window and then nothing for `silentWindows`. */
  chattyPerWindow: number;
  silentWindows: number;
  /** A workload silent this long is forgotten (its anomalies end). */
  idleMs: number;
  maxWorkloads: number;
  maxTemplatesPerWorkload: number;
  /** Example lines kept per anomaly, and characters per example. */
  examples: number;
  exampleChars: number;
}

export const DEFAULT_LOG_DETECTOR_OPTIONS: Readonly<LogDetectorOptions> = {
  windowMs: 60_000,
  graceMs: 30_000,
  learningMs: 60 * 60_000,
  alpha: 0.05,
  burstFactor: 5,
  minBurst: 20,
  errorFactor: 4,
  minErrors: 10,
  minUsual: 1,
  quietWindows: 3,
  learnedAfterWindows: 30,
  chattyPerWindow: 5,
  silentWindows: 5,
  idleMs: 6 * 60 * 60_000,
  maxWorkloads: 20_000,
  maxTemplatesPerWorkload: 1_000,
  examples: 5,
  exampleChars: 300,
};

/** Records not used, counted (never thrown). */
export interface LogDetectorSkips {
  /** A new workload while `maxWorkloads` are tracked. */
  workloadLimit: number;
  /** A new template in a workload that has `maxTemplatesPerWorkload` (its line still counts in the totals). */
  templateLimit: number;
  /** Older than the workload's current window: counted in the current window. */
  late: number;
  /** A time that is not a finite number. */
  invalid: number;
}

/** The workload a record belongs to: its controller when the source names one, else its pod, node, service. */
export function workloadOf(src: SignalSource): ResourceRef {
  if (src.workload) {
    const ns = src.namespace === undefined ? {} : { namespace: src.namespace };
    return { cluster: src.cluster, ...ns, kind: src.workloadKind ?? 'Deployment', name: src.workload };
  }
  return primaryRef(src);
}
