import type { Anomaly, ResourceRef, SignalBatch, Span } from '@sleuth/core';
import { anomalyId, type Detector } from '../detector';
import {
  DEFAULT_SERIES_OPTIONS,
  SeriesDetector,
  type SeriesDetectorOptions,
} from '../metrics/series-detector';
import { RedWindow, type RedFigures } from './red-window';

export interface RedDetectorOptions {
  /** Width of one RED window. */
  windowMs: number;
  /** A window is closed (and judged) once the signal clock is this far past its end. */
  graceMs: number;
  /** Fewer requests in a window than this are not judged (too few to say). */
  minRequests: number;
  /** Error ratio that is an anomaly when it is also well above the operation's usual one. */
  errorRatioAlarm: number;
  /**
   * Least failed requests and error ratio for any error anomaly, learned or not: a few
   * failures in a quiet minute are noise, not an incident.
   */
  minFailures: number;
  minErrorRatio: number;
  /** p95 latency this many times the usual p95 (and `latencyFloorMs` above it) is an anomaly. */
  latencyFactor: number;
  latencyFloorMs: number;
  /** Least requests slower than that bar in the window: two slow calls are not a slowdown. */
  minSlow: number;
  /** Windows of history before the latency rule judges. */
  baselineWindows: number;
  /** Learned detectors on rate, error ratio and p95 (a window is one point). */
  series: SeriesDetectorOptions;
  alarmScore: number;
  /** Ordinary windows that end an open anomaly. */
  quietWindows: number;
  /** Operations tracked at once; spans of further ones are skipped and counted. */
  maxOperations: number;
}

export const DEFAULT_RED_OPTIONS: RedDetectorOptions = {
  windowMs: 60_000,
  graceMs: 30_000,
  minRequests: 10,
  errorRatioAlarm: 0.2,
  minFailures: 5,
  minErrorRatio: 0.05,
  latencyFactor: 3,
  latencyFloorMs: 100,
  minSlow: 5,
  baselineWindows: 5,
  series: { ...DEFAULT_SERIES_OPTIONS, warmup: 60 },
  alarmScore: 0.2,
  quietWindows: 3,
  maxOperations: 20_000,
};

type RedKind = 'errors' | 'latency' | 'rate';

interface Operation {
  key: string;
  service: string;
  operation: string;
  resource: ResourceRef;
  /** Open windows, oldest first (at most a few: spans of one window may arrive late). */
  windows: RedWindow[];
  judged: number;
  usualErrorRatio: number;
  usualP95: number;
  learned: Record<RedKind, SeriesDetector>;
  open: Partial<Record<RedKind, { anomaly: Anomaly; quiet: number }>>;
  lastMs: number;
}

/** The service a span belongs to, as the resource its anomalies are about. */
function serviceRef(span: Span): ResourceRef {
  const s = span.source;
  const ns = s.namespace ? { namespace: s.namespace } : {};
  if (s.workload)
    return { cluster: s.cluster, ...ns, kind: s.workloadKind ?? 'Deployment', name: s.workload };
  return { cluster: s.cluster, ...ns, kind: 'Service', name: span.service };
}

const pct = (r: number) => `${(r * 100).toFixed(r < 0.01 ? 2 : 1)}%`;
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

/**
 * RED metrics from spans: for each service and operation (its server and consumer spans, and
 * root spans), per window, the request rate, the error ratio and latency p50/p95/p99. A window
 * is judged when it closes: by rules that need no history (an error ratio of 20% or more, well
 * above the usual one; a p95 three times the usual one) and by a learned detector per figure.
 * Anomalies name the operation and link example failed or slow traces.
 */
export class RedDetector implements Detector {
  readonly id = 'traces';
  readonly skipped = { late: 0, operationLimit: 0 };
  private readonly ops = new Map<string, Operation>();
  private clockMs = -Infinity;

  constructor(private readonly opts: RedDetectorOptions = DEFAULT_RED_OPTIONS) {}

  get operationCount(): number {
    return this.ops.size;
  }

  observe(batch: SignalBatch): Anomaly[] {
    for (const span of batch.spans) {
      if (span.kind !== 'server' && span.kind !== 'consumer' && span.parentSpanId !== undefined) continue;
      this.add(span);
    }
    return this.closeWindows(this.clockMs);
  }

  tick(nowMs: number): Anomaly[] {
    this.clockMs = Math.max(this.clockMs, nowMs);
    const out = this.closeWindows(this.clockMs);
    // Operations silent for an hour are forgotten (their open anomalies end).
    for (const [key, op] of this.ops) {
      if (this.clockMs - op.lastMs < 3_600_000) continue;
      for (const e of Object.values(op.open)) if (e) out.push({ ...e.anomaly, endMs: op.lastMs });
      this.ops.delete(key);
    }
    return out;
  }

  /** Figures of the windows still open for an operation, for the API and tests. */
  openFigures(service: string, operation: string, cluster: string): RedFigures[] {
    for (const op of this.ops.values()) {
      if (op.service === service && op.operation === operation && op.resource.cluster === cluster) {
        return op.windows.map((w) => w.figures());
      }
    }
    return [];
  }

  private add(span: Span): void {
    const key = `${span.source.cluster}\u0000${span.source.namespace ?? ''}\u0000${span.service}\u0000${span.name}`;
    let op = this.ops.get(key);
    if (!op) {
      if (this.ops.size >= this.opts.maxOperations) {
        this.skipped.operationLimit++;
        return;
      }
      op = {
        key,
        service: span.service,
        operation: span.name,
        resource: serviceRef(span),
        windows: [],
        judged: 0,
        usualErrorRatio: 0,
        usualP95: 0,
        learned: {
          errors: new SeriesDetector(this.opts.series),
          latency: new SeriesDetector(this.opts.series),
          rate: new SeriesDetector(this.opts.series),
        },
        open: {},
        lastMs: span.endMs,
      };
      this.ops.set(key, op);
    }
    const start = Math.floor(span.endMs / this.opts.windowMs) * this.opts.windowMs;
    const oldest = op.windows[0];
    if (oldest && start < oldest.startMs) {
      this.skipped.late++;
      return;
    }
    let w = op.windows.find((x) => x.startMs === start);
    if (!w) {
      w = new RedWindow(start, this.opts.windowMs);
      op.windows.push(w);
      op.windows.sort((a, b) => a.startMs - b.startMs);
    }
    w.add(span);
    op.lastMs = Math.max(op.lastMs, span.endMs);
    this.clockMs = Math.max(this.clockMs, span.endMs);
  }

  private closeWindows(nowMs: number): Anomaly[] {
    const out: Anomaly[] = [];
    for (const op of this.ops.values()) {
      while (op.windows.length > 0 && (op.windows[0] as RedWindow).endMs + this.opts.graceMs <= nowMs) {
        const w = op.windows.shift() as RedWindow;
        this.judge(op, w, out);
      }
    }
    return out;
  }

  private judge(op: Operation, w: RedWindow, out: Anomaly[]): void {
    const o = this.opts;
    const f = w.figures();
    const enough = f.requests >= o.minRequests;
    const verdicts: Partial<Record<RedKind, { score: number; why: string }>> = {};
    const learned = {
      errors: op.learned.errors.update(f.errorRatio),
      latency: op.learned.latency.update(f.p95Ms),
      rate: op.learned.rate.update(f.rate),
    };
    const failing =
      enough && f.errorRatio * f.requests >= o.minFailures - 1e-9 && f.errorRatio >= o.minErrorRatio;
    if (failing && f.errorRatio >= o.errorRatioAlarm && f.errorRatio >= 3 * op.usualErrorRatio + 0.05) {
      verdicts.errors = { score: Math.min(1, 0.5 + f.errorRatio / 2), why: 'rule' };
    } else if (failing && learned.errors.score >= o.alarmScore && f.errorRatio > op.usualErrorRatio) {
      verdicts.errors = { score: learned.errors.score, why: 'learned' };
    }
    const latencyBar = Math.max(op.usualP95 * o.latencyFactor, op.usualP95 + o.latencyFloorMs);
    const slow = enough && op.judged >= o.baselineWindows && f.p95Ms > latencyBar;
    if (slow && w.slowerThan(latencyBar) >= o.minSlow) {
      verdicts.latency = {
        score: Math.min(1, 0.5 + (0.5 * (f.p95Ms - latencyBar)) / latencyBar),
        why: 'rule',
      };
    } else if (enough && learned.latency.score >= o.alarmScore && f.p95Ms > op.usualP95) {
      verdicts.latency = { score: learned.latency.score, why: 'learned' };
    }
    if (learned.rate.score >= o.alarmScore) verdicts.rate = { score: learned.rate.score, why: 'learned' };

    for (const kind of ['errors', 'latency', 'rate'] as const) {
      const v = verdicts[kind];
      const open = op.open[kind];
      if (v) {
        const anomaly = this.anomaly(op, kind, f, v.score, open?.anomaly);
        op.open[kind] = { anomaly, quiet: 0 };
        if (!open || anomaly.score > open.anomaly.score || f.endMs > open.anomaly.lastSeenMs)
          out.push(anomaly);
      } else if (open && ++open.quiet >= o.quietWindows) {
        out.push({ ...open.anomaly, endMs: f.endMs });
        delete op.open[kind];
      }
    }
    // The usual figures learn only from ordinary windows, so a fault does not become normal.
    if (enough && !verdicts.errors && !verdicts.latency) {
      const a = op.judged < o.baselineWindows ? 1 / (op.judged + 1) : 0.1;
      op.usualErrorRatio += a * (f.errorRatio - op.usualErrorRatio);
      op.usualP95 += a * (f.p95Ms - op.usualP95);
      op.judged++;
    }
  }

  private anomaly(
    op: Operation,
    kind: RedKind,
    f: RedFigures,
    score: number,
    prev: Anomaly | undefined,
  ): Anomaly {
    const example = (kind === 'errors' ? f.failed[0] : undefined) ?? f.slowest[0];
    const onsetMs = prev?.onsetMs ?? f.startMs;
    const what = `${op.service} ${op.operation}`;
    const title =
      kind === 'errors'
        ? `${what}: ${pct(f.errorRatio)} of requests failed (usually ${pct(op.usualErrorRatio)})`
        : kind === 'latency'
          ? `${what}: p95 ${ms(f.p95Ms)} (usually ${ms(op.usualP95)})`
          : `${what}: ${f.rate.toFixed(2)} requests/s, unusual for it`;
    const examples = [...f.failed, ...f.slowest]
      .filter((e, i, all) => all.findIndex((x) => x.traceId === e.traceId) === i)
      .map((e) => `${e.traceId} (${ms(e.durationMs)}${e.failed ? ', failed' : ''})`);
    return {
      id: prev?.id ?? anomalyId(this.id, `${op.key}\u0000${kind}`, onsetMs),
      detector: this.id,
      resource: op.resource,
      signal: example
        ? { kind: 'trace', traceId: example.traceId, spanId: example.spanId }
        : {
            kind: 'series',
            name: `red_${kind}`,
            labels: { service: op.service, operation: op.operation },
            fromMs: f.startMs,
            toMs: f.endMs,
          },
      onsetMs,
      lastSeenMs: f.endMs,
      score: Math.max(score, prev?.score ?? 0),
      title: title.slice(0, 500),
      explanation:
        `Window ${new Date(f.startMs).toISOString()} to ${new Date(f.endMs).toISOString()}: ${f.requests} requests (${f.rate.toFixed(2)}/s), ${pct(f.errorRatio)} failed, p50 ${ms(f.p50Ms)}, p95 ${ms(f.p95Ms)}, p99 ${ms(f.p99Ms)}. Example traces: ${examples.join(', ') || 'none'}.`.slice(
          0,
          4000,
        ),
    };
  }
}
