import { describe, expect, it } from 'vitest';
import { ValidationError, type MetricPoint } from '@sleuth/core';
import type { RangeQuery } from '../queries';
import { batchOf, CART_EU, PAYMENTS_EU, point, SECOND, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const S10 = 10 * SECOND;
/** A gauge sampled every 10 s: two 30 s buckets of [1, 3, 2] and [10, 4, 6]. */
const GAUGE = [1, 3, 2, 10, 4, 6].map((v, i) =>
  point('memory_bytes', T0 + i * S10, v, { labels: { pod: 'cart-1' }, unit: 'By' }),
);
/** A counter sampled every 10 s that resets between 300 and 50. */
const COUNTER = [0, 100, 200, 300, 50, 150].map((v, i) =>
  point('http_requests_total', T0 + i * S10, v, { type: 'counter', labels: { code: '200', method: 'GET' } }),
);
const OTHER: MetricPoint[] = [
  point('http_requests_total', T0, 7, {
    type: 'counter',
    labels: { code: '500', method: 'GET' },
    source: PAYMENTS_EU,
  }),
  point('http_request_duration_seconds_sum', T0, 1.5, { type: 'histogram', labels: { method: 'GET' } }),
  point('cpu_seconds', T0 - 3_600_000, 1, { labels: { pod: 'old' } }),
];

export function metricContract(make: MakeStore): void {
  describe('metrics', () => {
    const ref = useStore(make, 'all', async (store) => {
      await store.writeBatch(batchOf({ metrics: [...GAUGE, ...COUNTER.slice(0, 3)] }));
      await store.writeBatch(batchOf({ metrics: [...COUNTER.slice(3), ...OTHER] }));
    });
    const range = (q: Partial<RangeQuery> & Pick<RangeQuery, 'name'>): RangeQuery => ({
      fromMs: T0,
      toMs: T0 + 60 * SECOND,
      ...q,
    });

    it('lists series with their identity, type, unit, source and time span', async () => {
      const [s] = await ref.store.listSeries({ name: 'memory_bytes' });
      expect(s).toEqual({
        id: s?.id,
        name: 'memory_bytes',
        labels: { pod: 'cart-1' },
        type: 'gauge',
        unit: 'By',
        source: CART_EU,
        firstMs: T0,
        lastMs: T0 + 5 * S10,
      });
      expect(typeof s?.id).toBe('string');
    });

    it('filters series by name prefix, labels, source and window', async () => {
      const names = async (q: Parameters<typeof ref.store.listSeries>[0]): Promise<string[]> =>
        (await ref.store.listSeries(q)).map((s) => `${s.name}${JSON.stringify(s.labels)}`);
      expect(await names({ name: 'http_*' })).toEqual([
        'http_request_duration_seconds_sum{"method":"GET"}',
        'http_requests_total{"code":"200","method":"GET"}',
        'http_requests_total{"code":"500","method":"GET"}',
      ]);
      expect(await names({ name: 'http_requests_total', labels: { code: '500' } })).toEqual([
        'http_requests_total{"code":"500","method":"GET"}',
      ]);
      expect(await names({ namespace: 'payments' })).toEqual([
        'http_requests_total{"code":"500","method":"GET"}',
      ]);
      expect(await names({ fromMs: T0 + 15 * SECOND, toMs: T0 + 25 * SECOND })).toEqual([
        'http_requests_total{"code":"200","method":"GET"}',
        'memory_bytes{"pod":"cart-1"}',
      ]);
      expect(await names({ name: 'cpu_seconds', fromMs: T0 })).toEqual([]);
      expect(await ref.store.listSeries({ limit: 2 })).toHaveLength(2);
    });

    it('returns raw points in [from, to), in time order', async () => {
      const r = await ref.store.querySeries(range({ name: 'memory_bytes', toMs: T0 + 5 * S10 }));
      expect(r.truncated).toBe(false);
      expect(r.series[0]?.points).toEqual([1, 3, 2, 10, 4].map((v, i) => [T0 + i * S10, v]));
    });

    it.each([
      ['avg', [2, 20 / 3]],
      ['min', [1, 4]],
      ['max', [3, 10]],
      ['sum', [6, 20]],
      ['last', [2, 6]],
      ['count', [3, 3]],
    ] as const)('aggregates each step bucket with %s', async (agg, values) => {
      const r = await ref.store.querySeries(range({ name: 'memory_bytes', stepMs: 30 * SECOND, agg }));
      const points = r.series[0]?.points ?? [];
      expect(points.map(([t]) => t)).toEqual([T0, T0 + 30 * SECOND]);
      points.forEach(([, v], i) => expect(v).toBeCloseTo(values[i] ?? NaN, 9));
    });

    it('computes rate as per-second increase, across a counter reset', async () => {
      const q = range({ name: 'http_requests_total', labels: { code: '200' }, agg: 'rate' });
      const raw = await ref.store.querySeries(q);
      expect(raw.series[0]?.points).toEqual([
        [T0 + 10 * SECOND, 10],
        [T0 + 20 * SECOND, 10],
        [T0 + 30 * SECOND, 10],
        [T0 + 40 * SECOND, 5],
        [T0 + 50 * SECOND, 10],
      ]);
      const stepped = await ref.store.querySeries({ ...q, stepMs: 60 * SECOND });
      expect(stepped.series[0]?.points).toEqual([[T0, 9]]);
    });

    it('returns every matching series, and says when the limit cut some off', async () => {
      const both = await ref.store.querySeries(range({ name: 'http_requests_total' }));
      expect(both.series.map((s) => s.series.labels['code'])).toEqual(['200', '500']);
      const one = await ref.store.querySeries(range({ name: 'http_requests_total', limit: 1 }));
      expect(one.series).toHaveLength(1);
      expect(one.truncated).toBe(true);
    });

    it('rejects invalid range queries', async () => {
      const bad = (q: Record<string, unknown>): Promise<unknown> =>
        ref.store.querySeries(q as RangeQuery).catch((e: unknown) => e);
      expect(await bad({ name: 'x', fromMs: T0 })).toBeInstanceOf(ValidationError);
      expect(String(await bad({ name: 'x', fromMs: T0, toMs: T0 + 1, agg: 'median' }))).toMatch(/agg/);
      expect(String(await bad({ name: 'x', fromMs: T0, toMs: T0 + 1, stepMs: 0 }))).toMatch(/stepMs/);
    });
  });

  describe('metric writes', () => {
    const ref = useStore(make, 'each');

    it('replaces the value when a point arrives again for the same time', async () => {
      await ref.store.writeBatch(batchOf({ metrics: [point('up', T0, 0)] }));
      await ref.store.writeBatch(batchOf({ metrics: [point('up', T0, 1), point('up', T0 + SECOND, 1)] }));
      const r = await ref.store.querySeries({ name: 'up', fromMs: T0, toMs: T0 + 10 * SECOND });
      expect(r.series[0]?.points).toEqual([
        [T0, 1],
        [T0 + SECOND, 1],
      ]);
    });

    it('treats label order as irrelevant to series identity', async () => {
      await ref.store.writeBatch(batchOf({ metrics: [point('m', T0, 1, { labels: { a: '1', b: '2' } })] }));
      await ref.store.writeBatch(
        batchOf({ metrics: [point('m', T0 + 1, 2, { labels: { b: '2', a: '1' } })] }),
      );
      expect(await ref.store.listSeries({ name: 'm' })).toHaveLength(1);
    });
  });
}
