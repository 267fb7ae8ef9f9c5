import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusError, PrometheusUnreachableError } from '../../prometheus/errors';
import { promqlQuery } from './promql-query';
import {
  call,
  cartMemory,
  CART_POD,
  fakePrometheus,
  list,
  MIN,
  NOW,
  openFleet,
  rec,
  signalOf,
  toolContext,
  type Fleet,
} from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

const MEMORY = 'container_memory_working_set_bytes{namespace="shop"}';
const withProm = (prometheus = fakePrometheus()) => ({ ...toolContext(fleet.store), prometheus });

describe('promql_query', () => {
  it('answers a range as labelled series of at most 60 points, each citable as a series window', async () => {
    const prometheus = fakePrometheus();
    const ctx = withProm(prometheus);
    const r = await call(promqlQuery, { query: MEMORY }, ctx);
    expect(r.status).toBe('ok');
    expect(prometheus.queries).toEqual([MEMORY]);
    expect(r.query).toEqual({
      query: MEMORY,
      from: '2026-03-02T11:00:00Z',
      to: '2026-03-02T12:00:00Z',
      stepSeconds: 60,
      limit: 5,
    });
    const series = list(r, 'series');
    expect(series).toHaveLength(2);
    const [cart] = series;
    expect(cart?.['name']).toBe('container_memory_working_set_bytes');
    expect(cart?.['labels']).toEqual({
      namespace: 'shop',
      pod: CART_POD.name,
      container: 'cart',
      job: 'kubelet',
    });
    expect((cart?.['points'] as unknown[]).length).toBeLessThanOrEqual(60);
    expect((cart?.['points'] as unknown[]).at(-1)).toEqual(['2026-03-02T12:00:00Z', round4(260 * 2 ** 20)]);
    expect(rec(cart?.['summary'])).toMatchObject({
      first: round4(200 * 2 ** 20),
      last: round4(260 * 2 ** 20),
    });
    expect(signalOf(ctx, cart?.['evidenceId'])).toEqual({
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: { namespace: 'shop', pod: CART_POD.name, container: 'cart', job: 'kubelet' },
      fromMs: NOW - 60 * MIN,
      toMs: NOW,
    });
    expect(ctx.evidence.get(String(cart?.['evidenceId']))?.summary).toContain(`Prometheus, PromQL ${MEMORY}`);
  });

  it('evaluates an instant query at the window end', async () => {
    const ctx = withProm();
    const r = await call(promqlQuery, { query: MEMORY, instant: true, to: '2026-03-02T11:30:00Z' }, ctx);
    expect(r.query).toMatchObject({ instant: true, at: '2026-03-02T11:30:00Z' });
    const [cart] = list(r, 'series');
    expect(cart?.['points']).toEqual([['2026-03-02T11:30:00Z', round4(230 * 2 ** 20)]]);
    expect(signalOf(ctx, cart?.['evidenceId'])).toMatchObject({
      fromMs: NOW - 30 * MIN,
      toMs: NOW - 30 * MIN,
    });
  });

  it('keeps to the series limit and the point budget, and says so', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      labels: { __name__: 'up', instance: `10.0.0.${i}:9100` },
      points: cartMemory()[0]?.points ?? [],
    }));
    const r = await call(promqlQuery, { query: 'up', limit: 20 }, withProm(fakePrometheus(many)));
    const series = list(r, 'series');
    expect(series).toHaveLength(20);
    for (const s of series) expect((s['points'] as unknown[]).length).toBeLessThanOrEqual(15);
    expect(r.note).toContain('25 series matched, 20 shown');
    expect(r.note).toContain('points thinned to at most 15 per series');
  });

  it('refuses windows over 24 hours and queries over 1,000 characters', async () => {
    const r = await call(promqlQuery, { query: 'up', from: '2026-03-01T00:00:00Z' }, withProm());
    expect(r.status).toBe('error');
    expect(r.note).toContain('longer than 24 hours');
    expect(promqlQuery.params.safeParse({ query: 'up', sinceMinutes: 1441 }).success).toBe(false);
    expect(promqlQuery.params.safeParse({ query: `up${' '.repeat(999)}` }).success).toBe(false);
  });

  it("hands Prometheus's error back with the query, so the model can correct it", async () => {
    const fail = new PrometheusError(
      'Prometheus rejected the query (bad_data): 1:11: parse error: unclosed left parenthesis',
      'bad_data',
      400,
    );
    const r = await call(promqlQuery, { query: 'sum(rate(up' }, withProm(fakePrometheus([], { fail })));
    expect(r).toMatchObject({ status: 'error', query: { query: 'sum(rate(up' } });
    expect(r.note).toContain('parse error: unclosed left parenthesis');

    const down = new PrometheusUnreachableError(
      'Prometheus at http://prom:9090 is unreachable (ECONNREFUSED)',
      null,
    );
    const r2 = await call(promqlQuery, { query: 'up' }, withProm(fakePrometheus([], { fail: down })));
    expect(r2).toMatchObject({ status: 'error', note: expect.stringContaining('unreachable') as unknown });
  });

  it('says when nothing matched, and when no Prometheus is configured', async () => {
    const none = await call(promqlQuery, { query: 'nope_total' }, withProm());
    expect(none.status).toBe('no_data');
    expect(none.note).toContain('count by (__name__)');
    const unconfigured = await call(promqlQuery, { query: 'up' }, toolContext(fleet.store));
    expect(unconfigured).toMatchObject({
      status: 'error',
      note: expect.stringContaining('prometheus.url') as unknown,
    });
  });

  it('names the cluster the Prometheus watches and shows NaN and Inf as Prometheus writes them', async () => {
    const odd = [
      {
        labels: { __name__: 'ratio' },
        points: [
          [NOW - MIN, NaN],
          [NOW, Infinity],
        ] as [number, number][],
      },
    ];
    const r = await call(promqlQuery, { query: 'ratio' }, withProm(fakePrometheus(odd, { cluster: 'prod' })));
    expect(rec(r.data)['cluster']).toBe('prod');
    expect(list(r, 'series')[0]?.['points']).toEqual([
      ['2026-03-02T11:59:00Z', 'NaN'],
      ['2026-03-02T12:00:00Z', '+Inf'],
    ]);
  });
});

function round4(v: number): number {
  return Number(v.toPrecision(4));
}
