import { primaryRef, type Anomaly, type MetricPoint, type SignalBatch } from '@sleuth/core';
import { anomalyId, type Detector } from '../detector';
import {
  DEFAULT_SERIES_OPTIONS,
  SeriesDetector,
  type AnomalyKind,
  type SeriesDetectorOptions,
} from './series-detector';

export interface MetricDetectorOptions {
  series: SeriesDetectorOptions;
  /**
   * Score at or above which a point opens an anomaly, per check. Chosen for a false-alarm budget
   * on a healthy fleet (none in two hours of the simulated fleet's ~2,200 series, against over
   * 300 an hour at NAB's optimum), far stricter than NAB's cost model: see docs/detection.md.
   */
  alarmScores: Record<AnomalyKind, number>;
  /**
   * Consecutive ordinary points that end an open anomaly. Ordinary: for an extreme, back inside
   * the range the series had before it; for a flat line, moving again; for a pattern, scoring
   * below the alarm.
   */
  quietPoints: number;
  /**
   * An open extreme whose series has not alarmed for this long ends even if the series never went
   * back where it was: it has settled at a level the detector now takes as ordinary (memory after
   * a restart, a node's free memory once its pods moved).
   */
  settleMs: number;
  /** An open anomaly whose series sent no point for this long ends at its last point (the pod is gone, the series relabelled). */
  staleMs: number;
  /** Series tracked at once; points of further series are skipped and counted. */
  maxSeries: number;
  /** A series with no point for this long is forgotten (its memory freed) by `tick`. */
  idleMs: number;
}

export const DEFAULT_METRIC_DETECTOR_OPTIONS: MetricDetectorOptions = {
  series: DEFAULT_SERIES_OPTIONS,
  alarmScores: { pattern: 0.5, extreme: 0.6, 'flat-line': 0.3, 'time-of-day': 0.5 },
  quietPoints: 30,
  settleMs: 10 * 60_000,
  staleMs: 5 * 60_000,
  maxSeries: 50_000,
  idleMs: 60 * 60_000,
};

/** Why points were not scored, counted (never thrown). */
export interface MetricSkips {
  /** Not after the series' previous point. */
  outOfOrder: number;
  /** A counter that went down (a restart): the rate is unknown for that step. */
  counterReset: number;
  /**
   * Histogram and summary parts other than `_count`: buckets, and `_sum` series (by the
   * Prometheus naming the pipeline follows). The rate of a sum is request count times latency,
   * a spike whenever one slow request lands in a quiet scrape; latency is judged from traces,
   * per operation, by the RED detector.
   */
  histogramPart: number;
  /** A new series while `maxSeries` are tracked. */
  seriesLimit: number;
  /**
   * kube-state-metrics series (`kube_*`): object state as numbers (replicas available, pod
   * ready, restarts). A rollout moves them all, which is no anomaly; the k8s-state detector
   * judges the objects themselves, knowing what a rollout is.
   */
  objectState: number;
}

interface Series {
  key: string;
  name: string;
  labels: Record<string, string>;
  labelCount: number;
  detector: SeriesDetector;
  lastMs: number;
  lastRaw: number;
  /** For counters: the share of scrapes that counted nothing (recently weighted). */
  zeroShare: number;
  open: Episode | undefined;
}

interface Episode {
  anomaly: Anomaly;
  kind: AnomalyKind;
  /** The range before an extreme; the repeated value of a flat line. */
  low: number;
  high: number;
  quiet: number;
  /** The last point that alarmed. */
  lastAlarmMs: number;
}

/** A counter that counted nothing on more than this share of scrapes is not busy. */
const BUSY_ZERO_SHARE = 0.01;

const KIND_TITLE: Record<AnomalyKind, string> = {
  pattern: 'unusual pattern',
  extreme: 'outside its range',
  'flat-line': 'flat line',
  'time-of-day': 'unusual for the time of day',
};

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? n.toExponential(3) : String(Math.round(n * 1000) / 1000);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over a string's UTF-16 code units, continuing from `h`. */
function hashText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Whether `labels` (with `count` keys) are exactly the series' labels. */
function sameLabels(s: Series, labels: Record<string, string>, count: number): boolean {
  if (count !== s.labelCount) return false;
  for (const k in labels) if (s.labels[k] !== labels[k]) return false;
  return true;
}

/** `name{a="x",b="y"}` with labels sorted: one series' identity. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `${name}{${keys.map((k) => `${k}="${labels[k] ?? ''}"`).join(',')}}`;
}

/**
 * The metric detector: one {@link SeriesDetector} per series (gauges as they are, counters as
 * their per-second rate), anomalies on the series' resource with the series window as evidence.
 * An anomaly opens at the first alarming point and ends after `quietPoints` ordinary ones, or
 * once the series has gone `settleMs` without alarming at a new level (the detector has then
 * learned the new behaviour; a second change opens a new anomaly), or `staleMs` after the series'
 * last point.
 */
export class MetricDetector implements Detector {
  readonly id = 'metrics';
  readonly skipped: MetricSkips = {
    outOfOrder: 0,
    counterReset: 0,
    histogramPart: 0,
    seriesLimit: 0,
    objectState: 0,
  };
  private readonly series = new Map<string, Series>();
  /**
   * Series by their labels in arrival order: senders repeat one order for one series, so this
   * finds a series without sorting its labels on every point. Each entry points at a series of
   * `series`; both forget it together.
   */
  private readonly byArrivalKey = new Map<number, Series>();

  constructor(private readonly opts: MetricDetectorOptions = DEFAULT_METRIC_DETECTOR_OPTIONS) {}

  /** Series tracked now. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Bytes held by the series detectors (their fixed state, not the JS object overhead). */
  get bytes(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.detector.bytes;
    return n;
  }

  observe(batch: SignalBatch): Anomaly[] {
    const out: Anomaly[] = [];
    for (const p of batch.metrics) {
      const a = this.point(p);
      if (a) out.push(a);
    }
    return out;
  }

  tick(nowMs: number): Anomaly[] {
    const out: Anomaly[] = [];
    for (const [key, s] of this.series) {
      if (s.open && nowMs - s.lastMs >= Math.min(this.opts.staleMs, this.opts.idleMs)) {
        out.push({ ...s.open.anomaly, endMs: s.lastMs });
        s.open = undefined;
      }
      if (nowMs - s.lastMs >= this.opts.idleMs) this.series.delete(key);
    }
    for (const [key, s] of this.byArrivalKey) {
      if (nowMs - s.lastMs >= this.opts.idleMs) this.byArrivalKey.delete(key);
    }
    return out;
  }

  private point(p: MetricPoint): Anomaly | undefined {
    if (p.type === 'histogram' || p.type === 'summary' || p.name.endsWith('_sum')) {
      this.skipped.histogramPart++;
      return undefined;
    }
    if (p.name.startsWith('kube_')) {
      this.skipped.objectState++;
      return undefined;
    }
    // The label values in arrival order find the series without sorting its labels; the keys
    // are checked against the series found (two label sets could share their values).
    let arrival = hashText(FNV_OFFSET, p.name);
    let count = 0;
    for (const k in p.labels) {
      arrival = hashText(Math.imul(arrival ^ 0xff, FNV_PRIME), p.labels[k] as string);
      count++;
    }
    let s = this.byArrivalKey.get(arrival);
    if (s && (s.name !== p.name || !sameLabels(s, p.labels, count))) s = undefined;
    const key = s?.key ?? seriesKey(p.name, p.labels);
    if (!s) {
      s = this.series.get(key);
      if (!s) {
        if (this.series.size >= this.opts.maxSeries) {
          this.skipped.seriesLimit++;
          return undefined;
        }
        s = {
          key,
          name: p.name,
          labels: p.labels,
          labelCount: count,
          detector: new SeriesDetector(this.opts.series),
          lastMs: -Infinity,
          lastRaw: NaN,
          zeroShare: 0,
          open: undefined,
        };
        this.series.set(key, s);
      }
      // At most a few arrival orders per series; beyond the limit, sorting is the fallback. A
      // value string already taken by another label set stays with it.
      if (this.byArrivalKey.size < 2 * this.opts.maxSeries && !this.byArrivalKey.has(arrival)) {
        this.byArrivalKey.set(arrival, s);
      }
    }
    if (p.timeMs <= s.lastMs) {
      this.skipped.outOfOrder++;
      return undefined;
    }
    const prevMs = s.lastMs;
    const prevRaw = s.lastRaw;
    s.lastMs = p.timeMs;
    s.lastRaw = p.value;
    let value = p.value;
    if (p.type === 'counter') {
      if (Number.isNaN(prevRaw)) return undefined;
      if (p.value < prevRaw) {
        this.skipped.counterReset++;
        return undefined;
      }
      value = ((p.value - prevRaw) * 1000) / (p.timeMs - prevMs);
    }
    const verdict = s.detector.update(value, p.timeMs);
    const open = s.open;
    // A counter's rate holding steady is a regular client (a poller, a probe), not a fault; a
    // counter that stopped counting is, if it used to count on nearly every scrape (a quiet
    // endpoint goes minutes without a request as a matter of course).
    let steadyRate = false;
    if (p.type === 'counter') {
      s.zeroShare += ((value === 0 ? 1 : 0) - s.zeroShare) / Math.min(s.detector.count, 1000);
      steadyRate = verdict.kind === 'flat-line' && (value !== 0 || s.zeroShare > BUSY_ZERO_SHARE);
    }
    if (verdict.kind && verdict.score >= this.opts.alarmScores[verdict.kind] && !steadyRate) {
      if (open) {
        open.quiet = 0;
        open.lastAlarmMs = p.timeMs;
        if (verdict.score <= open.anomaly.score) return undefined;
      }
      const onsetMs = open?.anomaly.onsetMs ?? p.timeMs;
      const what = value !== p.value ? `${s.name} (per-second rate)` : s.name;
      const resource = primaryRef(p.source);
      const where = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
      const anomaly: Anomaly = {
        id: open?.anomaly.id ?? anomalyId(this.id, key, onsetMs),
        detector: this.id,
        resource,
        signal: {
          kind: 'series',
          name: s.name,
          labels: s.labels,
          fromMs: onsetMs - 30 * 60_000,
          toMs: p.timeMs,
        },
        onsetMs,
        lastSeenMs: p.timeMs,
        score: Math.min(1, verdict.score),
        title: `${what}: ${KIND_TITLE[verdict.kind]} on ${where}`.slice(0, 500),
        explanation: this.explain(verdict.kind, value, verdict.expectedLow, verdict.expectedHigh),
      };
      const flat = verdict.kind === 'flat-line';
      s.open = open
        ? { ...open, anomaly }
        : {
            anomaly,
            kind: verdict.kind,
            low: flat ? value : verdict.expectedLow,
            high: flat ? value : verdict.expectedHigh,
            quiet: 0,
            lastAlarmMs: p.timeMs,
          };
      return anomaly;
    }
    if (!open) return undefined;
    const ordinary =
      open.kind === 'extreme'
        ? value >= open.low && value <= open.high
        : open.kind === 'flat-line'
          ? value !== open.low
          : true;
    open.quiet = ordinary ? open.quiet + 1 : 0;
    // A flat line is over only when the series moves again; a new level outside the old range
    // is over once it has stopped alarming for long enough.
    const settled = open.kind === 'extreme' && p.timeMs - open.lastAlarmMs >= this.opts.settleMs;
    if (open.quiet < this.opts.quietPoints && !settled) return undefined;
    s.open = undefined;
    return { ...open.anomaly, lastSeenMs: p.timeMs, endMs: p.timeMs };
  }

  private explain(kind: AnomalyKind, value: number, low: number, high: number): string {
    const range = `${fmt(low)} to ${fmt(high)}`;
    switch (kind) {
      case 'extreme':
        return `Observed ${fmt(value)}, beyond every value this series has shown (${range}).`;
      case 'flat-line':
        return `The series has repeated ${fmt(value)} for more than twice its longest earlier run; it normally moves between ${range}.`;
      case 'pattern':
        return `Observed ${fmt(value)}; after its previous value this series usually moves to ${range}. Its recent values are out of sequence for it.`;
      case 'time-of-day':
        return `Observed ${fmt(value)}; at this time of day (UTC half-hour) this series is usually ${range}, and its recent values are far from that.`;
    }
  }
}
