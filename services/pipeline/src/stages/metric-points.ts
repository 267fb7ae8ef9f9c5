import type { Attributes, MetricPoint, MetricType, SignalBatch, SignalSource } from '@sleuth/core';
import type {
  ExponentialHistogramPointIn,
  HistogramPointIn,
  MetricIn,
  NumberPointIn,
  RequestIn,
  SummaryPointIn,
} from '../otlp/otlp-model';
import { attrText, timeProblem } from './record-checks';
import type { Rejections } from './rejections';
import { sourceFromResource, sourceLabels } from './resource-source';

/** Base names are capped so `<name>_bucket` still fits MetricPoint's 255 characters. */
const MAX_NAME = 240;
const MAX_UNIT = 63;

type Labels = Record<string, string>;

/** What one metric's points share while they are expanded into series samples. */
interface Series {
  name: string;
  unit: string | undefined;
  source: SignalSource;
  out: MetricPoint[];
}

function sample(
  s: Series,
  suffix: string,
  labels: Labels,
  type: MetricType,
  timeMs: number,
  value: number,
): void {
  const p: MetricPoint = { name: s.name + suffix, labels, source: s.source, type, timeMs, value };
  if (s.unit !== undefined) p.unit = s.unit;
  s.out.push(p);
}

function setLabel(labels: Labels, key: string, value: string): void {
  if (key === '__proto__')
    Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  else labels[key] = value;
}

/**
 * Series labels: the point's attributes as strings, then the source's normalised labels. The source
 * wins a clash (it is how Sleuth finds series); the point's value moves to `exported_<key>`, as
 * Prometheus does.
 */
function pointLabels(attrs: Attributes, base: [string, string][]): Labels {
  const labels: Labels = {};
  for (const key in attrs) if (Object.hasOwn(attrs, key)) setLabel(labels, key, attrText(attrs[key]));
  for (const [key, value] of base) {
    if (Object.hasOwn(labels, key)) setLabel(labels, `exported_${key}`, labels[key] ?? '');
    labels[key] = value;
  }
  return labels;
}

const finite = Number.isFinite;

function numberPoint(
  s: Series,
  p: NumberPointIn,
  labels: Labels,
  type: MetricType,
  timeMs: number,
): string | undefined {
  if (p.value === undefined) return 'data point has neither asDouble nor asInt';
  if (!finite(p.value)) return 'value is NaN or infinite';
  sample(s, '', labels, type, timeMs, p.value);
  return undefined;
}

function countSum(p: { count: number; sum: number | undefined }): string | undefined {
  if (!finite(p.count) || p.count < 0) return 'count is not an unsigned integer';
  if (p.sum !== undefined && !finite(p.sum)) return 'sum is NaN or infinite';
  return undefined;
}

function histogramPoint(s: Series, p: HistogramPointIn, labels: Labels, cumulative: boolean, timeMs: number) {
  const problem = countSum(p);
  if (problem !== undefined) return problem;
  const { bucketCounts: counts, explicitBounds: bounds } = p;
  if (counts.length > 0) {
    if (counts.length !== bounds.length + 1)
      return 'bucketCounts must have exactly one more entry than explicitBounds';
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i] ?? NaN;
      if (!finite(b) || (i > 0 && b <= (bounds[i - 1] ?? NaN)))
        return 'explicitBounds must be finite and increasing';
    }
    if (!counts.every((c) => finite(c) && c >= 0)) return 'bucketCounts must be unsigned integers';
  }
  const type = cumulative ? 'counter' : 'gauge';
  sample(s, '_count', labels, type, timeMs, p.count);
  if (p.sum !== undefined) sample(s, '_sum', labels, type, timeMs, p.sum);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i] ?? 0;
    const le = i < bounds.length ? String(bounds[i]) : '+Inf';
    sample(s, '_bucket', { ...labels, le }, 'histogram', timeMs, total);
  }
  return undefined;
}

function exponentialPoint(
  s: Series,
  p: ExponentialHistogramPointIn,
  labels: Labels,
  cumulative: boolean,
  timeMs: number,
) {
  const problem = countSum(p);
  if (problem !== undefined) return problem;
  const type = cumulative ? 'counter' : 'gauge';
  sample(s, '_count', labels, type, timeMs, p.count);
  if (p.sum !== undefined) sample(s, '_sum', labels, type, timeMs, p.sum);
  return undefined;
}

function summaryPoint(s: Series, p: SummaryPointIn, labels: Labels, timeMs: number): string | undefined {
  const problem = countSum(p);
  if (problem !== undefined) return problem;
  sample(s, '_count', labels, 'counter', timeMs, p.count);
  sample(s, '_sum', labels, 'counter', timeMs, p.sum);
  // A quantile over no observations is NaN by definition; that sample is skipped, not the point.
  for (const q of p.quantiles) {
    if (finite(q.value) && finite(q.quantile))
      sample(s, '', { ...labels, quantile: String(q.quantile) }, 'summary', timeMs, q.value);
  }
  return undefined;
}

/** Where a metric's points are, for rejection reasons. */
interface MetricPlace {
  r: number;
  s: number;
  m: number;
  name: string;
  kind: string;
}

const whereMetric = (at: MetricPlace, p?: number): string =>
  `resourceMetrics[${at.r}].scopeMetrics[${at.s}].metrics[${at.m}]` +
  (at.name === '' ? '' : ` (${at.name.slice(0, 80)})`) +
  (p === undefined ? '' : `.${at.kind}.dataPoints[${p}]`);

interface PointShape {
  attributes: Attributes;
  timeMs: number | undefined;
}

/** Runs `expand` on each valid point of one metric, rejecting the others with their reason. */
function eachPoint<P extends PointShape>(
  points: (P | null)[],
  at: MetricPlace,
  base: [string, string][],
  ctx: MetricStageContext,
  rejections: Rejections,
  expand: (p: P, labels: Labels, timeMs: number) => string | undefined,
): void {
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p === null || p === undefined) {
      rejections.reject(whereMetric(at, i), 'is not an object');
      continue;
    }
    const timeMs = p.timeMs ?? ctx.receivedMs;
    const problem =
      timeProblem(timeMs, 'timeUnixNano', ctx.receivedMs) ??
      expand(p, pointLabels(p.attributes, base), timeMs);
    if (problem !== undefined) rejections.reject(whereMetric(at, i), problem);
  }
}

/** What the metrics stage needs from the request context. */
export interface MetricStageContext {
  defaultCluster: string;
  receivedMs: number;
}

function normaliseMetric(
  m: MetricIn,
  at: MetricPlace,
  series: Series,
  base: [string, string][],
  ctx: MetricStageContext,
  rej: Rejections,
) {
  const data = m.data;
  if (data === undefined) return;
  at.kind = data.type;
  const problem =
    m.name === ''
      ? 'metric name is empty'
      : m.name.length > MAX_NAME
        ? `metric name is longer than ${MAX_NAME} characters`
        : undefined;
  if (problem !== undefined) {
    rej.reject(whereMetric(at), problem, data.points.length);
    return;
  }
  switch (data.type) {
    case 'gauge':
      return eachPoint(data.points, at, base, ctx, rej, (p, l, t) => numberPoint(series, p, l, 'gauge', t));
    case 'sum': {
      const type = data.monotonic && data.cumulative ? 'counter' : 'gauge';
      return eachPoint(data.points, at, base, ctx, rej, (p, l, t) => numberPoint(series, p, l, type, t));
    }
    case 'histogram':
      return eachPoint(data.points, at, base, ctx, rej, (p, l, t) =>
        histogramPoint(series, p, l, data.cumulative, t),
      );
    case 'exponentialHistogram':
      return eachPoint(data.points, at, base, ctx, rej, (p, l, t) =>
        exponentialPoint(series, p, l, data.cumulative, t),
      );
    case 'summary':
      return eachPoint(data.points, at, base, ctx, rej, (p, l, t) => summaryPoint(series, p, l, t));
  }
}

/**
 * The metrics stage: expands decoded ResourceMetrics into MetricPoint samples, Prometheus style.
 * Gauge → gauge; monotonic cumulative Sum → counter, other sums → gauge; Histogram → `_count`, `_sum`
 * and cumulative `_bucket{le}` (+Inf last); ExponentialHistogram → `_count`, `_sum`; Summary →
 * `_count`, `_sum` and `<name>{quantile}`. A rejected data point counts once, whatever it expands to.
 */
export function normaliseMetrics(
  req: RequestIn<MetricIn>,
  ctx: MetricStageContext,
  batch: SignalBatch,
  rej: Rejections,
): void {
  for (let r = 0; r < req.length; r++) {
    const resource = req[r];
    if (resource === null || resource === undefined) {
      rej.reject(`resourceMetrics[${r}]`, 'is not an object');
      continue;
    }
    const source = sourceFromResource(resource.attributes, ctx.defaultCluster);
    const base = sourceLabels(source);
    for (let s = 0; s < resource.scopes.length; s++) {
      const metrics = resource.scopes[s];
      if (metrics === null || metrics === undefined) {
        rej.reject(`resourceMetrics[${r}].scopeMetrics[${s}]`, 'is not an object with a metrics array');
        continue;
      }
      for (let m = 0; m < metrics.length; m++) {
        const metric = metrics[m];
        const at: MetricPlace = { r, s, m, name: metric?.name ?? '', kind: '' };
        if (metric === null || metric === undefined) {
          rej.reject(whereMetric(at), 'is not an object');
          continue;
        }
        const unit = metric.unit === '' || metric.unit.length > MAX_UNIT ? undefined : metric.unit;
        normaliseMetric(metric, at, { name: metric.name, unit, source, out: batch.metrics }, base, ctx, rej);
      }
    }
  }
}
