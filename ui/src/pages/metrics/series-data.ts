import { querySeries, type SeriesPoints } from '../../lib/api/series';
import { alignSeries, type ChartData } from '../../lib/components/chart-model';
import { selectorText, type ChartWindow, type SeriesSelector } from './series-url';

/** Above this window, points are averaged into about MAX_BUCKETS buckets; below, raw points. */
export const RAW_UP_TO_MS = 24 * 3_600_000;
const MAX_BUCKETS = 2000;

export interface LoadedSeries {
  selector: SeriesSelector;
  /** The stored series (and its points), or undefined when nothing matches the selector. */
  result?: SeriesPoints;
  /** Counters are shown as per-second rates unless raw values were asked for. */
  rate: boolean;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * Reads each selected series in the window. The API matches labels as a subset, so of what it
 * answers the series with exactly the selector's label set is taken (else the first). Counters are
 * read again as rates unless `raw`.
 */
export async function loadSeries(
  selected: readonly SeriesSelector[],
  win: ChartWindow,
  raw: boolean,
  signal: AbortSignal,
): Promise<LoadedSeries[]> {
  const span = win.toMs - win.fromMs;
  const stepMs = span > RAW_UP_TO_MS ? Math.ceil(span / MAX_BUCKETS) : undefined;
  const base = { from: win.fromMs, to: win.toMs, stepMs, limit: 50 };
  return Promise.all(
    selected.map(async (selector): Promise<LoadedSeries> => {
      const pick = (series: SeriesPoints[]) =>
        series.find((s) => sameLabels(s.series.labels, selector.labels)) ?? series[0];
      const first = pick((await querySeries({ ...base, ...selector }, { signal })).series);
      if (!first || raw || first.series.type !== 'counter') return { selector, result: first, rate: false };
      const labels = first.series.labels;
      const asRate = pick(
        (await querySeries({ ...base, name: selector.name, labels, agg: 'rate' }, { signal })).series,
      );
      return { selector, result: asRate ?? first, rate: asRate !== undefined };
    }),
  );
}

/** Labels that tell the selected series apart (all of them when only one is shown). */
function distinguishing(loaded: readonly LoadedSeries[]): (s: SeriesSelector) => string {
  const keys = new Set<string>();
  for (const l of loaded)
    for (const [k, v] of Object.entries(l.selector.labels))
      if (loaded.some((o) => o.selector.labels[k] !== v || o.selector.name !== l.selector.name)) keys.add(k);
  return (s) => {
    const shown = Object.entries(s.labels).filter(([k]) => loaded.length === 1 || keys.has(k));
    const useful = shown.filter(
      ([k]) => !['cluster', 'node', 'service', 'container'].includes(k) || shown.length <= 3,
    );
    return selectorText({ name: s.name, labels: Object.fromEntries(useful) });
  };
}

/** Empty points at the window's edges, so the chart spans the whole window, not only where data is. */
function spanWindow(data: ChartData, win: { fromMs: number; toMs: number }): ChartData {
  const first = data.x[0];
  const last = data.x[data.x.length - 1];
  if (first === undefined || last === undefined) return data;
  const head = first > win.fromMs;
  const tail = last < win.toMs;
  if (!head && !tail) return data;
  const edges = <T>(values: T[], before: T, after: T): T[] => [
    ...(head ? [before] : []),
    ...values,
    ...(tail ? [after] : []),
  ];
  return {
    x: edges(data.x, win.fromMs, win.toMs),
    series: data.series.map((s) => ({ ...s, values: edges<number | null>(s.values, null, null) })),
  };
}

/**
 * One time axis for every series (uPlot's layout) spanning the window, the first unit on the left
 * axis, another on the right.
 */
export function toChartData(
  loaded: readonly LoadedSeries[],
  win: { fromMs: number; toMs: number },
): { data: ChartData; unit: string; rightUnit?: string } {
  const found = loaded.filter((l) => l.result);
  const label = distinguishing(found);
  const unitOf = (l: LoadedSeries) => {
    const u = l.result?.series.unit;
    const base = u && u !== '1' ? u : '';
    return l.rate ? (base ? `${base}/s` : 'per second') : base;
  };
  const unit = found[0] ? unitOf(found[0]) : '';
  const rightUnit = found.map(unitOf).find((u) => u !== unit);
  const aligned = alignSeries(
    found.map((l) => ({
      label: (l.rate ? 'rate ' : '') + label(l.selector),
      points: l.result!.points.map(([t, v]) => ({ t, v })),
      ...(rightUnit !== undefined && unitOf(l) === rightUnit ? { rightAxis: true } : {}),
    })),
  );
  const data = spanWindow(aligned, win);
  return { data, unit, ...(rightUnit !== undefined ? { rightUnit } : {}) };
}
