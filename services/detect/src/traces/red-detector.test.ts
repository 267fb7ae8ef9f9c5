import { emptyBatch, type Anomaly, type Span, seededRandom } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RED_OPTIONS, RedDetector } from './red-detector';

const T0 = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);

interface Minute {
  /** Probability a request fails. */
  errors: number;
  /** Typical duration, ms. */
  latency: number;
}

/** `perMinute` server spans of checkout `POST /orders` per minute, each with a client child. */
function spans(minutes: Minute[], perMinute = 60, seed = 1): Span[] {
  const r = seededRandom(seed);
  const out: Span[] = [];
  let n = 0;
  minutes.forEach((m, k) => {
    for (let i = 0; i < perMinute; i++) {
      n++;
      const endMs = T0 + k * MIN + (i + 0.5) * (MIN / perMinute);
      const durationMs = m.latency * (0.7 + 0.6 * r());
      const failed = r() < m.errors;
      const base = {
        traceId: hex(n, 32),
        service: 'checkout',
        source: {
          cluster: 'prod',
          namespace: 'shop',
          workload: 'checkout',
          workloadKind: 'Deployment',
          pod: 'checkout-1',
        },
        startMs: endMs - durationMs,
        endMs,
        durationMs,
        attributes: {},
      } as const;
      out.push({
        ...base,
        spanId: hex(2 * n, 16),
        name: 'POST /orders',
        kind: 'server',
        status: failed ? 'error' : 'unset',
      });
      // The call to the database: a child client span, not an operation of checkout's own.
      out.push({
        ...base,
        spanId: hex(2 * n + 1, 16),
        parentSpanId: hex(2 * n, 16),
        name: 'SELECT orders',
        kind: 'client',
        status: 'unset',
      });
    }
  });
  return out;
}

function run(d: RedDetector, all: Span[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (let k = 0; k < all.length; k += 500)
    out.push(...d.observe({ ...emptyBatch(), spans: all.slice(k, k + 500) }));
  return out;
}

const healthy: Minute = { errors: 0.01, latency: 40 };

describe('RedDetector', () => {
  it('raises nothing over two healthy hours, several seeds', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const d = new RedDetector();
      const out = run(
        d,
        spans(
          Array.from({ length: 120 }, () => healthy),
          60,
          seed,
        ),
      );
      out.push(...d.tick(T0 + 121 * MIN));
      expect(out.map((a) => a.title)).toEqual([]);
      expect(d.operationCount).toBe(1);
    }
  });

  it('reports a burst of failures on the operation, with a failed trace as evidence, and ends it', () => {
    const minutes = [
      ...Array.from({ length: 20 }, () => healthy),
      ...Array.from({ length: 5 }, () => ({ errors: 0.45, latency: 40 })),
      ...Array.from({ length: 10 }, () => healthy),
    ];
    const all = spans(minutes);
    const d = new RedDetector();
    const out = run(d, all);
    out.push(...d.tick(T0 + 40 * MIN));
    const errors = out.filter((a) => a.title.includes('failed'));
    expect(errors.length).toBeGreaterThan(0);
    const first = errors[0]!;
    expect(first.onsetMs).toBe(T0 + 20 * MIN);
    expect(first.resource).toEqual({
      cluster: 'prod',
      namespace: 'shop',
      kind: 'Deployment',
      name: 'checkout',
    });
    expect(first.title).toMatch(/^checkout POST \/orders: \d+\.\d% of requests failed \(usually [\d.]+%\)$/);
    expect(first.signal.kind).toBe('trace');
    const failedIds = new Set(all.filter((s) => s.status === 'error').map((s) => s.traceId));
    expect(failedIds.has((first.signal as { traceId: string }).traceId)).toBe(true);
    expect(first.explanation).toMatch(/Example traces: [0-9a-f]{32}/);
    expect(new Set(errors.map((a) => a.id)).size).toBe(1);
    const ended = errors.filter((a) => a.endMs !== undefined);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.endMs).toBe(T0 + (25 + DEFAULT_RED_OPTIONS.quietWindows) * MIN);
  });

  it('reports a latency jump from the fifth window on, naming the slowest trace', () => {
    const minutes = [...Array.from({ length: 10 }, () => healthy), { errors: 0.01, latency: 400 }, healthy];
    const d = new RedDetector();
    const out = run(d, spans(minutes));
    const slow = out.filter((a) => a.title.includes('p95'));
    expect(slow).toHaveLength(1);
    expect(slow[0]!.onsetMs).toBe(T0 + 10 * MIN);
    expect(slow[0]!.title).toMatch(/p95 \d+ ms \(usually \d+\.?\d* ms\)/);
    expect(out.filter((a) => a.title.includes('failed'))).toEqual([]);
  });

  it('does not judge a window with too few requests, and counts late spans', () => {
    const d = new RedDetector();
    // Two requests, both failed: not enough to call it a failure burst.
    const few = spans([{ errors: 1, latency: 40 }], 2);
    expect(run(d, few)).toEqual([]);
    expect(d.tick(T0 + 5 * MIN)).toEqual([]);
    // A span of a window judged long ago.
    run(
      d,
      spans([healthy], 1).map((s) => ({ ...s, endMs: T0 + 20 * MIN })),
    );
    run(
      d,
      spans([healthy], 1).map((s) => ({ ...s, endMs: T0 + 30 * MIN })),
    );
    run(d, spans([healthy], 1));
    expect(d.skipped.late).toBeGreaterThan(0);
  });
});
