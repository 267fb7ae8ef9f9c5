/** The two windows compared: reference `[fromMs, incidentFromMs)`, incident `[incidentFromMs, toMs)`. */
export interface ShiftWindows {
  fromMs: number;
  incidentFromMs: number;
  toMs: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median and robust spread (1.4826 × median absolute deviation, a standard deviation for normal data). */
export function robust(values: readonly number[]): { m: number; sd: number } {
  const m = median(values);
  return { m, sd: 1.4826 * median(values.map((v) => Math.abs(v - m))) };
}
