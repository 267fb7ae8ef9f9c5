import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { querySeries } from './query-series';
import { call, list, NOW, openFleet, rec, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

const cart = { kind: 'Deployment', name: 'cart' };

describe('query_series', () => {
  it('lists the metrics of an object when no name is given', async () => {
    const r = await call(querySeries, { resource: cart }, toolContext(fleet.store));
    expect(list(r, 'metrics')).toEqual([
      { name: 'container_memory_working_set_bytes', type: 'gauge', unit: 'By', series: 1 },
      { name: 'http_server_requests_total', type: 'counter', series: 2 },
    ]);
  });

  it('summarises a gauge in at most 60 points, citable as the series window', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(querySeries, { name: 'container_memory*', resource: cart }, ctx);
    const [s] = list(r, 'series');
    expect(s?.['points']).toHaveLength(60);
    // 160 MiB an hour ago, growing 1 MiB a minute; values have 4 significant digits.
    const summary = rec(s?.['summary']);
    expect(Number(summary['min'])).toBeCloseTo(160 * 2 ** 20, -6);
    expect(Number(summary['max'])).toBeCloseTo(219 * 2 ** 20, -6);
    expect(signalOf(ctx, s?.['evidenceId'])).toEqual({
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: rec(s?.['labels']),
      fromMs: NOW - 3_600_000,
      toMs: NOW,
    });
    expect(r.query).toMatchObject({ stepSeconds: 60, agg: 'avg' });
  });

  it('reads counters as per-second rates by default, filtered by labels', async () => {
    const r = await call(
      querySeries,
      { name: 'http_server_requests_total', resource: cart, labels: { code: '503' } },
      toolContext(fleet.store),
    );
    const [s] = list(r, 'series');
    expect(list(r, 'series')).toHaveLength(1);
    expect(rec(s?.['summary'])).toMatchObject({ first: 0, last: 5, max: 5 });
    expect(r.query).toMatchObject({ agg: 'rate' });
  });

  it('raises a step that would give too many points, and says so', async () => {
    const r = await call(
      querySeries,
      { name: 'container_memory_working_set_bytes', sinceMinutes: 600, stepSeconds: 1 },
      toolContext(fleet.store),
    );
    expect(r.query).toMatchObject({ stepSeconds: 600 });
    expect(r.note).toMatch(/stepSeconds raised to 600/);
    expect(list(r, 'series')[0]?.['points']).toHaveLength(12);
  });

  it('answers no_data for a metric that is not there, naming the ones that are', async () => {
    const r = await call(querySeries, { name: 'cpu_usage', resource: cart }, toolContext(fleet.store));
    expect(r.status).toBe('no_data');
    expect(r.note).toContain('container_memory_working_set_bytes, http_server_requests_total');
  });

  it('answers error for an unknown object, with close names', async () => {
    const r = await call(querySeries, { resource: { kind: 'sts', name: 'cart' } }, toolContext(fleet.store));
    expect(r.status).toBe('error');
    expect(r.note).toContain('no StatefulSet named cart');
    expect(r.note).toContain('Deployment shop/cart');
  });
});
