import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTraces } from './find-traces';
import { call, list, openFleet, rec, signalOf, toolContext, TRACES, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

describe('find_traces', () => {
  it("finds a service's failing traces and points at the span where the error started", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(findTraces, { resource: { kind: 'svc', name: 'cart' }, errorsOnly: true }, ctx);
    const traces = list(r, 'traces');
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({
      traceId: TRACES.error,
      durationMs: 820,
      error: true,
      root: { service: 'checkout', name: 'POST /checkout' },
      spans: 4,
      flagged: { service: 'cart', name: 'redis GET', status: 'error' },
    });
    expect(signalOf(ctx, traces[0]?.['evidenceId'])).toEqual({
      kind: 'trace',
      traceId: TRACES.error,
      spanId: 'a400000000000000',
    });
  });

  it('filters by duration and operation, newest first, within the window', async () => {
    const ctx = toolContext(fleet.store);
    const slow = await call(findTraces, { service: 'cart', minDurationMs: 500 }, ctx);
    expect(list(slow, 'traces').map((t) => t['traceId'])).toEqual([TRACES.error]);
    const op = await call(findTraces, { operation: 'POST /checkout' }, ctx);
    expect(list(op, 'traces').map((t) => t['traceId'])).toEqual([TRACES.ok, TRACES.error]);
    const wider = await call(findTraces, { operation: 'POST /checkout', sinceMinutes: 240 }, ctx);
    expect(list(wider, 'traces')).toHaveLength(3);
    const one = await call(findTraces, { operation: 'POST /checkout', limit: 1 }, ctx);
    expect(rec(one.data)['more']).toBe(true);
  });

  it('shows one trace as a span tree, depth first, error spans citable', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(findTraces, { traceId: TRACES.error.toUpperCase() }, ctx);
    const spans = list(r, 'spans');
    expect(spans.map((s) => [s['depth'], s['service'], s['name']])).toEqual([
      [0, 'checkout', 'POST /checkout'],
      [1, 'checkout', 'GET cart'],
      [2, 'cart', 'GET /cart'],
      [3, 'cart', 'redis GET'],
    ]);
    expect(spans[2]).toMatchObject({ offsetMs: 8, durationMs: 800, statusMessage: 'redis timeout' });
    expect(signalOf(ctx, rec(r.data)['evidenceId'])).toEqual({ kind: 'trace', traceId: TRACES.error });
    expect(signalOf(ctx, spans[3]?.['evidenceId'])).toMatchObject({ spanId: 'a400000000000000' });
  });

  it('answers no_data for nothing matching and an unknown trace, error for a malformed id', async () => {
    const ctx = toolContext(fleet.store);
    const none = await call(findTraces, { service: 'checkout', minDurationMs: 5000 }, ctx);
    expect(none.status).toBe('no_data');
    expect(none.note).toMatch(/drop errorsOnly and minDurationMs/);
    expect((await call(findTraces, { traceId: 'f'.repeat(32) }, ctx)).status).toBe('no_data');
    expect((await call(findTraces, { traceId: 'xyz' }, ctx)).status).toBe('error');
  });
});
