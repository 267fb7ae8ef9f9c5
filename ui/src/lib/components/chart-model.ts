/**
 * What a chart shows, independent of the drawing library: one time axis in epoch ms, any number
 * of series over it (null = no value), shaded windows (anomalies) and vertical markers (events,
 * changes). Helpers align series sampled at different times onto one axis.
 */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS colour; the palette's next one when not given. */
  color?: string;
  /** Bars (counts per bucket, e.g. log lines per minute) instead of a line. */
  bars?: boolean;
  /** Draw on the right-hand axis (a different unit than the first series). */
  rightAxis?: boolean;
}

export interface ChartBand {
  fromMs: number;
  toMs: number;
  label: string;
  /** Stronger shading for the selected or most severe window. */
  emphasis?: boolean;
}

export interface ChartMarker {
  timeMs: number;
  label: string;
  /** `warning` markers are drawn in the warning colour. */
  tone?: 'info' | 'warning' | 'change';
}

export interface ChartData {
  x: number[];
  series: ChartSeries[];
}

/**
 * Puts series sampled at their own times on one shared, sorted time axis (values missing at a
 * time become null), as a multi-series chart needs.
 */
export function alignSeries(
  input: {
    label: string;
    points: { t: number; v: number }[];
    color?: string;
    bars?: boolean;
    rightAxis?: boolean;
  }[],
): ChartData {
  const times = new Set<number>();
  for (const s of input) for (const p of s.points) times.add(p.t);
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const series = input.map((s) => {
    const values: (number | null)[] = new Array<number | null>(x.length).fill(null);
    for (const p of s.points) values[index.get(p.t)!] = Number.isFinite(p.v) ? p.v : null;
    const out: ChartSeries = { label: s.label, values };
    if (s.color) out.color = s.color;
    if (s.bars) out.bars = true;
    if (s.rightAxis) out.rightAxis = true;
    return out;
  });
  return { x, series };
}

/** Counts per bucket: how many of `times` fall in each `bucketMs` step from `fromMs` to `toMs`. */
export function bucketCounts(
  times: number[],
  fromMs: number,
  toMs: number,
  bucketMs: number,
): { t: number; v: number }[] {
  const start = Math.floor(fromMs / bucketMs) * bucketMs;
  const n = Math.max(1, Math.ceil((toMs - start) / bucketMs));
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    const i = Math.floor((t - start) / bucketMs);
    if (i >= 0 && i < n) counts[i]! += 1;
  }
  return counts.map((v, i) => ({ t: start + i * bucketMs, v }));
}

export const PALETTE = [
  '#4f7cff',
  '#e5534b',
  '#2da44e',
  '#bf8700',
  '#8250df',
  '#1b9aaa',
  '#d4537e',
  '#6e7781',
];
