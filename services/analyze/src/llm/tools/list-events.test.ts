import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from './list-events';
import { call, list, openFleet, rec, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

describe('list_events', () => {
  it("lists a Deployment's events and its pods', Warnings first, each citable as the stored event", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(listEvents, { resource: { kind: 'deploy', name: 'cart' } }, ctx);
    const events = list(r, 'events');
    expect(events.map((e) => e['reason'])).toEqual(['BackOff', 'Unhealthy', 'ScalingReplicaSet']);
    expect(events[0]).toMatchObject({
      time: '2026-03-02T11:58:00Z',
      first: '2026-03-02T11:47:00Z',
      type: 'Warning',
      object: 'Pod shop/cart-7d9f8-abc12',
      count: 12,
    });
    const signal = signalOf(ctx, events[0]?.['evidenceId']);
    expect(signal?.kind).toBe('event');
    const stored = await fleet.store.listEvents({ reason: 'BackOff' });
    expect(signal).toEqual({ kind: 'event', ids: [stored[0]?.id] });
  });

  it('filters by type and reason', async () => {
    const ctx = toolContext(fleet.store);
    const normal = await call(listEvents, { namespace: 'shop', type: 'Normal' }, ctx);
    expect(list(normal, 'events').map((e) => e['reason'])).toEqual(['ScalingReplicaSet', 'Pulled']);
    const unhealthy = await call(listEvents, { namespace: 'shop', reason: 'Unhealthy' }, ctx);
    expect(list(unhealthy, 'events')).toHaveLength(1);
  });

  it('stops at the limit and says how many more there are', async () => {
    const r = await call(listEvents, { namespace: 'shop', limit: 1 }, toolContext(fleet.store));
    expect(list(r, 'events')).toHaveLength(1);
    expect(rec(r.data)['more']).toBe(true);
    expect(r.note).toMatch(/^3 more events/);
  });

  it('answers no_data outside the window and finds the event in a wider one', async () => {
    const ctx = toolContext(fleet.store);
    const recent = await call(listEvents, { namespace: 'blog' }, ctx);
    expect(recent.status).toBe('no_data');
    const wider = await call(listEvents, { namespace: 'blog', sinceMinutes: 240 }, ctx);
    expect(list(wider, 'events')[0]).toMatchObject({ reason: 'FailedScheduling', object: 'Pod blog/web-1' });
  });
});
