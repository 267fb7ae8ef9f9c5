import { createHash } from 'node:crypto';
import { primaryRef, type Anomaly, type MetricPoint, type ResourceRef, type Span } from '@sleuth/core';
import { callEdgeAnomalies } from './call-edges';
import { median, robust, type ShiftWindows } from './shift-stats';

export type { ShiftWindows } from './shift-stats';

export {
  CALL_EDGE_DETECTOR,
  DEFAULT_CALL_EDGE_OPTIONS,
  callEdgeAnomalies,
  callEdgeLoci,
  callEdgeShifts,
  type CallEdgeLocus,
  type CallEdgeOptions,
  type CallEdgeShift,
} from './call-edges';

/**
 * Incident-time comparison: what changed in an incident's first minutes against the minutes just
 * before it. The streaming detectors need hours of history before they judge (a learned series
 * needs hundreds of points, a RED baseline five full windows, log templates an hour); when an
 * incident opens on a workload Sleuth has watched for less, or changes too small for a streaming
 * alarm matter because they line up with the incident, this comparison still says which series
 * and which operations moved. Its findings are {@link Anomaly} values (`detector: 'window-shift'`)
 * so they rank with the detectors' own.
 */
export interface WindowShiftOptions {
  /** Least reference points (metric samples or spans of one operation) to judge against. */
  minReference: number;
  /** Least incident samples or spans of one operation to judge. */
  minIncident: number;
  /** A shift of this many robust standard deviations is a change (the score is 0 below it). */
  minZ: number;
  /**
   * Least relative spread assumed of a reference (a share of its median): a series that was
   * flat before is not "infinitely" shifted by the first ordinary wiggle.
   */
  minRelativeSpread: number;
  /** Least change of a span duration's logarithm (0.1 ≈ 10% slower) that can be a change. */
  minLogSpread: number;
  /** Width of the slices in which the onset of a span shift is looked for. */
  onsetSliceMs: number;
}

export const DEFAULT_WINDOW_SHIFT_OPTIONS: WindowShiftOptions = {
  minReference: 5,
  minIncident: 3,
  minZ: 3,
  minRelativeSpread: 0.05,
  minLogSpread: 0.1,
  onsetSliceMs: 15_000,
};

/** 0 below `minZ`, then rising toward 1: 0.75 at twice the bar, 0.95 at ten times. */
function zScore(z: number, minZ: number): number {
  const a = Math.abs(z);
  return a < minZ ? 0 : Math.min(1, 1 - minZ / (2 * a));
}

/**
 * How large a change is, whatever its significance: 1 − e^(−|ln(now / before)|), so doubling
 * scores 0.5, five times 0.8, fifty times 0.98. A shift's score is the smaller of this and its
 * significance: a statistically sure 3% wiggle of a quiet series is not an incident, and neither
 * is a big jump of a series that always jumps.
 */
function sizeScore(before: number, now: number): number {
  const a = Math.abs(before);
  const b = Math.abs(now);
  if (a === 0 && b === 0) return 0;
  if (a === 0 || b === 0 || Math.sign(before) !== Math.sign(now)) return 1;
  return 1 - Math.exp(-Math.abs(Math.log(b / a)));
}

function shiftId(key: string, onsetMs: number): string {
  const h = createHash('sha256').update(`window-shift\u0000${key}\u0000${Math.floor(onsetMs)}`);
  return `anm_${h.digest('hex').slice(0, 24)}`;
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? String(Math.round(n)) : n.toPrecision(3));

/**
 * Metric series whose incident samples moved away from the reference: the median of the
 * incident samples' robust z-scores against the reference reaches `minZ`, and the incident
 * median lies beyond every reference sample (a series that already jumped that far before, such
 * as a latency percentile of a few requests, has not shifted). Onset is the first incident
 * sample beyond the bar. One anomaly per series, on the series' resource.
 */
export function metricShifts(
  points: readonly MetricPoint[],
  w: ShiftWindows,
  opts: WindowShiftOptions = DEFAULT_WINDOW_SHIFT_OPTIONS,
): Anomaly[] {
  const series = new Map<string, { p: MetricPoint; ref: number[]; inc: MetricPoint[] }>();
  for (const p of points) {
    if (p.timeMs < w.fromMs || p.timeMs >= w.toMs || !Number.isFinite(p.value)) continue;
    if (p.type === 'histogram' || p.type === 'summary' || p.type === 'counter') continue;
    const key = `${p.name}{${Object.keys(p.labels)
      .sort()
      .map((k) => `${k}=${p.labels[k] ?? ''}`)
      .join(',')}}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { p, ref: [], inc: [] }));
    if (p.timeMs < w.incidentFromMs) s.ref.push(p.value);
    else s.inc.push(p);
  }
  const out: Anomaly[] = [];
  for (const [key, s] of series) {
    if (s.ref.length < opts.minReference || s.inc.length < opts.minIncident) continue;
    const { m, sd } = robust(s.ref);
    const spread = Math.max(sd, opts.minRelativeSpread * Math.abs(m), Number.EPSILON);
    const zs = s.inc.map((p) => (p.value - m) / spread);
    const z = median(zs);
    const now = median(s.inc.map((p) => p.value));
    const beyond = z > 0 ? now > Math.max(...s.ref) : now < Math.min(...s.ref);
    const score = beyond ? Math.min(zScore(z, opts.minZ), sizeScore(m, now)) : 0;
    if (score === 0) continue;
    const onset = s.inc.find(
      (_, i) => Math.sign(zs[i] as number) === Math.sign(z) && Math.abs(zs[i] as number) >= opts.minZ,
    );
    const onsetMs = onset?.timeMs ?? w.incidentFromMs;
    const resource = primaryRef(s.p.source);
    out.push({
      id: shiftId(key, onsetMs),
      detector: 'window-shift',
      resource,
      signal: { kind: 'series', name: s.p.name, labels: s.p.labels, fromMs: w.fromMs, toMs: w.toMs },
      onsetMs,
      lastSeenMs: s.inc[s.inc.length - 1]?.timeMs ?? onsetMs,
      score,
      title:
        `${s.p.name} ${z > 0 ? 'rose' : 'fell'} to ${fmt(now)} (before: ${fmt(m)}) on ${resource.kind} ${resource.name}`.slice(
          0,
          500,
        ),
      explanation: `Median of the incident's ${s.inc.length} samples ${fmt(now)} against ${fmt(m)} ± ${fmt(spread)} over the ${s.ref.length} samples before: ${fmt(z)} robust standard deviations.`,
    });
  }
  return out;
}

/** The workload (else the service) a span's requests are served by, as RED anomalies name it. */
export function spanUnit(span: Span): ResourceRef {
  const s = span.source;
  const ns = s.namespace ? { namespace: s.namespace } : {};
  if (s.workload)
    return { cluster: s.cluster, ...ns, kind: s.workloadKind ?? 'Deployment', name: s.workload };
  return { cluster: s.cluster, ...ns, kind: 'Service', name: span.service };
}

/** A span that is the entry into its service: a server or consumer span, or a root. */
function isEntry(span: Span): boolean {
  return span.kind === 'server' || span.kind === 'consumer' || span.parentSpanId === undefined;
}

/**
 * Operations whose requests got slower or started failing: per service and operation, the
 * incident spans' log-durations against the reference's (robust z of the medians' difference),
 * and the incident error ratio against the reference's. Onset is the start of the first slice
 * of `onsetSliceMs` whose median is beyond the bar. One anomaly per operation and kind, on the
 * service's workload. Also the units where the time between pods grew on their call edges
 * ({@link callEdgeAnomalies}, `detector: 'call-edges'`): the locus of a network delay or a
 * CPU-starved pod, which its callers' slower requests only echo.
 */
export function spanShifts(
  spans: readonly Span[],
  w: ShiftWindows,
  opts: WindowShiftOptions = DEFAULT_WINDOW_SHIFT_OPTIONS,
): Anomaly[] {
  const ops = new Map<string, { unit: ResourceRef; op: string; ref: Span[]; inc: Span[] }>();
  for (const s of spans) {
    if (!isEntry(s) || s.endMs < w.fromMs || s.endMs >= w.toMs) continue;
    const unit = spanUnit(s);
    const key = `${unit.cluster}/${unit.namespace ?? ''}/${unit.name}\u0000${s.name}`;
    let o = ops.get(key);
    if (!o) ops.set(key, (o = { unit, op: s.name, ref: [], inc: [] }));
    (s.endMs < w.incidentFromMs ? o.ref : o.inc).push(s);
  }
  const out: Anomaly[] = callEdgeAnomalies(spans, w, spanUnit);
  const lg = (s: Span) => Math.log(Math.max(s.durationMs, 0.001));
  for (const [key, o] of ops) {
    if (o.ref.length < opts.minReference || o.inc.length < opts.minIncident) continue;
    const { m, sd } = robust(o.ref.map(lg));
    const spread = Math.max(sd, opts.minLogSpread);
    const z = (median(o.inc.map(lg)) - m) / spread;
    const what = `${o.unit.name} ${o.op}`;
    const slowest = [...o.inc].sort((a, b) => b.durationMs - a.durationMs)[0] as Span;
    const base = {
      detector: 'window-shift',
      resource: o.unit,
      signal: { kind: 'trace' as const, traceId: slowest.traceId, spanId: slowest.spanId },
      lastSeenMs: Math.max(...o.inc.map((s) => s.endMs)),
    };
    const latencyScore = Math.min(zScore(z, opts.minZ), 1 - Math.exp(-Math.abs(median(o.inc.map(lg)) - m)));
    if (z > 0 && latencyScore > 0) {
      const onsetMs = sliceOnset(
        o.inc,
        w.incidentFromMs,
        opts,
        (slice) => (median(slice.map(lg)) - m) / spread,
      );
      const before = Math.exp(m);
      const now = Math.exp(median(o.inc.map(lg)));
      out.push({
        ...base,
        id: shiftId(`${key}\u0000latency`, onsetMs),
        onsetMs,
        score: latencyScore,
        title: `${what}: median ${fmt(now)} ms (before: ${fmt(before)} ms)`.slice(0, 500),
        explanation: `${o.inc.length} requests since the incident began against ${o.ref.length} before; the median duration moved ${fmt(z)} robust standard deviations.`,
      });
    }
    const failed = (list: Span[]) => list.filter((s) => s.status === 'error').length / list.length;
    const before = failed(o.ref);
    const now = failed(o.inc);
    // Errors: a binomial z of the incident's failures against the reference ratio (floored).
    const p = Math.max(before, 1 / (o.ref.length + 1));
    const ez = (now - p) / Math.sqrt((p * (1 - p)) / o.inc.length);
    if (now > before && zScore(ez, opts.minZ) > 0) {
      const onsetMs = sliceOnset(
        o.inc,
        w.incidentFromMs,
        opts,
        (slice) => (failed(slice) - p) / Math.sqrt((p * (1 - p)) / slice.length),
      );
      out.push({
        ...base,
        id: shiftId(`${key}\u0000errors`, onsetMs),
        onsetMs,
        score: zScore(ez, opts.minZ),
        title: `${what}: ${Math.round(now * 100)}% of requests failed (before: ${Math.round(before * 100)}%)`,
        explanation: `${o.inc.length} requests since the incident began against ${o.ref.length} before.`,
      });
    }
  }
  return out;
}

/** Start of the first slice (of at least two spans) whose z reaches the bar, else the window start. */
function sliceOnset(
  inc: readonly Span[],
  fromMs: number,
  opts: WindowShiftOptions,
  z: (slice: Span[]) => number,
): number {
  const slices = new Map<number, Span[]>();
  for (const s of inc) {
    const k = Math.floor((s.endMs - fromMs) / opts.onsetSliceMs);
    const list = slices.get(k);
    if (list) list.push(s);
    else slices.set(k, [s]);
  }
  for (const k of [...slices.keys()].sort((a, b) => a - b)) {
    const slice = slices.get(k) as Span[];
    if (slice.length >= 2 && z(slice) >= opts.minZ) return fromMs + k * opts.onsetSliceMs;
  }
  return fromMs;
}
