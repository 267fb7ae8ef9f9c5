import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getResource } from './get-resource';
import { call, MIN, NOW, openFleet, rec, SECRET_VALUE, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

const cart = { kind: 'deploy', name: 'cart' };

describe('get_resource', () => {
  it('reads the latest state of a Deployment, with replicas and without noise, citable as that state', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(getResource, { resource: cart }, ctx);
    const data = rec(r.data);
    expect(data).toMatchObject({
      resource: { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'cart' },
      time: '2026-03-02T11:40:00Z',
      owners: [],
      replicas: { desired: 3, ready: 1, updated: 2 },
    });
    const text = JSON.stringify(r);
    expect(text).toContain('shop/cart:1.5.0');
    expect(text).not.toMatch(/managedFields|last-applied-configuration|resourceVersion/);
    expect(signalOf(ctx, data['evidenceId'])).toMatchObject({ kind: 'object', timeMs: NOW - 20 * MIN });
  });

  it('reads the state as of an earlier time', async () => {
    const r = await call(
      getResource,
      { resource: cart, at: '2026-03-02T11:00:00Z' },
      toolContext(fleet.store),
    );
    expect(JSON.stringify(r.data)).toContain('shop/cart:1.4.0');
    expect(r.query).toMatchObject({ at: '2026-03-02T11:00:00Z' });
    const before = await call(
      getResource,
      { resource: cart, at: '2026-03-01T00:00:00Z' },
      toolContext(fleet.store),
    );
    expect(before.status).toBe('no_data');
  });

  it("summarises a pod's containers and names its owner", async () => {
    const r = await call(
      getResource,
      { resource: { kind: 'po', name: 'cart-7d9f8-abc12' } },
      toolContext(fleet.store),
    );
    expect(r.data).toMatchObject({
      owners: ['ReplicaSet cart-7d9f8'],
      phase: 'Running',
      containers: [{ name: 'cart', ready: false, restarts: 4, state: 'waiting CrashLoopBackOff' }],
    });
  });

  it("shows a Secret's keys and never its values, not even in the evidence summary", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(getResource, { resource: { kind: 'secret', name: 'cart-secrets' } }, ctx);
    expect(rec(rec(r.data)['object'])).toEqual({
      type: 'Opaque',
      annotationKeys: ['team'],
      dataKeys: ['API_KEY', 'DB_PASSWORD'],
    });
    expect(JSON.stringify(r)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(ctx.evidence.all())).not.toContain(SECRET_VALUE);
  });

  it('cuts a very large object to keep the answer short, and says so', async () => {
    const r = await call(
      getResource,
      { resource: { kind: 'cm', name: 'feature-flags' } },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('ok');
    expect(JSON.stringify(r).length).toBeLessThan(12_000);
    expect(r.note).toMatch(/cut/);
  });

  it('asks for a cluster when a name is in several and no default is set', async () => {
    const ctx = toolContext(fleet.store, null);
    const ambiguous = await call(getResource, { resource: { kind: 'deploy', name: 'web' } }, ctx);
    expect(ambiguous.status).toBe('error');
    expect(ambiguous.note).toMatch(
      /ambiguous.*namespace blog of cluster prod.*namespace blog of cluster staging/,
    );
    const named = await call(
      getResource,
      { resource: { kind: 'deploy', name: 'web', cluster: 'staging' } },
      ctx,
    );
    expect(named.data).toMatchObject({ resource: { cluster: 'staging', namespace: 'blog' } });
  });

  it('answers error for an unknown object, echoing it and naming close matches', async () => {
    const r = await call(
      getResource,
      { resource: { kind: 'Deployment', name: 'chekout' } },
      toolContext(fleet.store),
    );
    expect(r).toMatchObject({
      status: 'error',
      query: { resource: { kind: 'Deployment', name: 'chekout' } },
    });
    expect(r.note).toContain('Close matches: Deployment shop/checkout (cluster prod)');
  });
});
