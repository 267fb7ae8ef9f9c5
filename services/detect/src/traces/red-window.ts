import type { Span } from '@sleuth/core';

/** A trace worth opening: one failed or slow request of a window. */
export interface ExampleTrace {
  traceId: string;
  spanId: string;
  durationMs: number;
  failed: boolean;
}

/** Rate, errors and duration of one operation over one window. */
export interface RedFigures {
  startMs: number;
  endMs: number;
  requests: number;
  /** Requests per second over the window. */
  rate: number;
  errorRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The slowest requests (most 3) and the first failed ones (most 3). */
  slowest: ExampleTrace[];
  failed: ExampleTrace[];
}

/** Durations kept per window for percentiles; beyond it a uniform sample (reservoir) is kept. */
const RESERVOIR = 1024;
const EXAMPLES = 3;

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * One operation's requests in one fixed window: counts, a bounded sample of durations for the
 * percentiles (exact up to 1,024 requests a window, a uniform reservoir sample beyond), and a few
 * example traces to link as evidence.
 */
export class RedWindow {
  private requests = 0;
  private errors = 0;
  private readonly durations = new Float64Array(RESERVOIR);
  private readonly slowest: ExampleTrace[] = [];
  private readonly failed: ExampleTrace[] = [];
  private seed = 0x9e3779b9;

  constructor(
    readonly startMs: number,
    readonly widthMs: number,
  ) {}

  get endMs(): number {
    return this.startMs + this.widthMs;
  }

  add(span: Span): void {
    const n = this.requests++;
    if (n < RESERVOIR) this.durations[n] = span.durationMs;
    else {
      const j = this.random() % (n + 1);
      if (j < RESERVOIR) this.durations[j] = span.durationMs;
    }
    const failed = span.status === 'error';
    const example = { traceId: span.traceId, spanId: span.spanId, durationMs: span.durationMs, failed };
    if (failed) {
      this.errors++;
      if (this.failed.length < EXAMPLES) this.failed.push(example);
    }
    if (
      this.slowest.length < EXAMPLES ||
      span.durationMs > (this.slowest[this.slowest.length - 1]?.durationMs ?? 0)
    ) {
      this.slowest.push(example);
      this.slowest.sort((a, b) => b.durationMs - a.durationMs);
      if (this.slowest.length > EXAMPLES) this.slowest.pop();
    }
  }

  /** Requests slower than `ms` (estimated from the sample beyond 1,024 requests). */
  slowerThan(ms: number): number {
    const kept = Math.min(this.requests, RESERVOIR);
    let n = 0;
    for (let i = 0; i < kept; i++) if ((this.durations[i] as number) > ms) n++;
    return kept === 0 ? 0 : Math.round((n * this.requests) / kept);
  }

  figures(): RedFigures {
    const kept = this.durations.slice(0, Math.min(this.requests, RESERVOIR)).sort();
    return {
      startMs: this.startMs,
      endMs: this.endMs,
      requests: this.requests,
      rate: this.requests / (this.widthMs / 1000),
      errorRatio: this.requests === 0 ? 0 : this.errors / this.requests,
      p50Ms: quantile(kept, 0.5),
      p95Ms: quantile(kept, 0.95),
      p99Ms: quantile(kept, 0.99),
      slowest: [...this.slowest],
      failed: [...this.failed],
    };
  }

  /** xorshift32: a deterministic reservoir, so the same spans give the same figures. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}
