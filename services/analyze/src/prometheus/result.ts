import type { QueryData } from './api-schema';
import type { PromQueryResult, PromSeries } from './source';

/**
 * A query's data as series (`[timeMs, value]` points), cut to the limits: the first `maxSeries`
 * series, then each series thinned evenly when together they hold more than `maxPoints` points.
 * `notes` say what was left out.
 */
export function limitedResult(
  data: QueryData,
  warnings: string[],
  limits: { maxSeries: number; maxPoints: number },
): PromQueryResult {
  const notes: string[] = [];
  const at = (t: number): number => Math.round(t * 1000);
  let series: PromSeries[];
  let text: string | undefined;
  let histograms = 0;
  switch (data.resultType) {
    case 'scalar':
      series = [{ labels: {}, points: [[at(data.result[0]), sampleValue(data.result[1])]] }];
      break;
    case 'string':
      series = [];
      text = data.result[1];
      break;
    case 'vector':
      series = data.result.map((r) => ({
        labels: r.metric,
        points: r.value ? [[at(r.value[0]), sampleValue(r.value[1])]] : [],
      }));
      histograms = data.result.filter((r) => !r.value).length;
      break;
    case 'matrix':
      series = data.result.map((r) => ({
        labels: r.metric,
        points: (r.values ?? []).map(([t, v]): [number, number] => [at(t), sampleValue(v)]),
      }));
      histograms = data.result.filter((r) => !r.values).length;
      break;
  }
  if (histograms > 0) notes.push(`${histograms} native-histogram series left without points`);
  const max = limits.maxSeries;
  let truncated = false;
  if (series.length > max) {
    notes.push(`${max} of ${series.length} series kept (prometheus.maxSeries)`);
    series = series.slice(0, max);
    truncated = true;
  }
  const total = series.reduce((n, s) => n + s.points.length, 0);
  if (total > limits.maxPoints) {
    const cap = Math.max(1, Math.floor(limits.maxPoints / series.length));
    series = series.map((s) => ({ ...s, points: thinPoints(s.points, cap) }));
    const kept = series.reduce((n, s) => n + s.points.length, 0);
    notes.push(
      `points thinned to at most ${cap} per series, evenly spaced (${kept} of ${total} kept, prometheus.maxPoints ${limits.maxPoints})`,
    );
    truncated = true;
  }
  return {
    resultType: data.resultType,
    series,
    ...(text === undefined ? {} : { text }),
    truncated,
    notes,
    warnings,
  };
}

/** A sample's text as a number: `NaN`, `+Inf` and `-Inf` included. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** At most `max` points at an even stride counted back from the newest, which is always kept. */
export function thinPoints(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const stride = Math.ceil(points.length / max);
  const out: [number, number][] = [];
  for (let i = points.length - 1; i >= 0 && out.length < max; i -= stride) {
    const p = points[i];
    if (p) out.push(p);
  }
  return out.reverse();
}
