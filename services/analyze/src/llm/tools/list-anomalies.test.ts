import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAnomalies } from './list-anomalies';
import { call, list, openFleet, rec, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

describe('list_anomalies', () => {
  it("lists a Deployment's anomalies and its pods', newest onset first, each citable", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(listAnomalies, { resource: { kind: 'deploy', name: 'cart' } }, ctx);
    const found = list(r, 'anomalies');
    expect(found.map((a) => a['id'])).toEqual(['an-crash-cart', 'an-logs-cart']);
    expect(found[0]).toMatchObject({
      detector: 'pod-restarts',
      resource: { kind: 'Pod', name: 'cart-7d9f8-abc12', namespace: 'shop', cluster: 'prod' },
      onset: '2026-03-02T11:45:00Z',
      open: true,
      title: 'Pod cart-7d9f8-abc12 is in CrashLoopBackOff',
    });
    expect(signalOf(ctx, found[0]?.['evidenceId'])).toEqual({ kind: 'anomaly', id: 'an-crash-cart' });
  });

  it('lists a namespace, stopping at the limit', async () => {
    const ctx = toolContext(fleet.store);
    expect(list(await call(listAnomalies, { namespace: 'shop' }, ctx), 'anomalies')).toHaveLength(3);
    const one = await call(listAnomalies, { namespace: 'shop', limit: 1 }, ctx);
    expect(list(one, 'anomalies')).toHaveLength(1);
    expect(rec(one.data)['more']).toBe(true);
  });

  it('finds an ended anomaly only in a window that reaches it, and never with openOnly', async () => {
    const ctx = toolContext(fleet.store);
    const recent = await call(listAnomalies, { namespace: 'blog' }, ctx);
    expect(recent.status).toBe('no_data');
    expect(recent.note).toMatch(/raise sinceMinutes/);
    const week = await call(listAnomalies, { namespace: 'blog', sinceMinutes: 7 * 24 * 60 }, ctx);
    expect(list(week, 'anomalies')[0]).toMatchObject({ id: 'an-old-web', end: '2026-02-28T13:00:00Z' });
    const open = await call(
      listAnomalies,
      { namespace: 'blog', sinceMinutes: 7 * 24 * 60, openOnly: true },
      ctx,
    );
    expect(open.status).toBe('no_data');
    expect(open.note).toMatch(/openOnly=false/);
  });

  it('answers error for an unknown object', async () => {
    const r = await call(
      listAnomalies,
      { resource: { kind: 'svc', name: 'carts' } },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('error');
    expect(r.note).toContain('Service shop/cart');
  });
});
