import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, list, openFleet, rec, toolContext, type Fleet } from './testing';
import { topology } from './topology';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

const edges = (r: Awaited<ReturnType<typeof call>>, key: string) =>
  list(r, key).map((e) => `${String(e['edge'])} ${String(e['kind'])} ${String(e['name'])}`);

describe('topology', () => {
  it("shows what a Deployment's pods depend on and what depends on them, calls included", async () => {
    const r = await call(topology, { resource: { kind: 'deploy', name: 'cart' } }, toolContext(fleet.store));
    expect(edges(r, 'dependsOn').sort()).toEqual([
      'calls Service redis',
      'runs_on Node node-a',
      'uses_configmap ConfigMap cart-config',
      'uses_secret Secret cart-secrets',
    ]);
    expect(edges(r, 'dependents').sort()).toEqual(['calls Service checkout', 'selects Service cart']);
    const config = list(r, 'dependsOn').find((e) => e['kind'] === 'ConfigMap');
    expect(config).toMatchObject({
      why: 'envFrom (container cart)',
      via: 'Pod shop/cart-7d9f8-abc12 and 1 more',
    });
    const calls = list(r, 'dependents').find((e) => e['edge'] === 'calls');
    expect(calls).toMatchObject({ via: 'Service shop/cart', calls: { count: 2, errors: 1 } });
  });

  it('gives the blast radius of a ConfigMap: the pods using it, their owners and the services in front', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(topology, { resource: { kind: 'cm', name: 'cart-config' } }, ctx);
    const radius = rec(rec(r.data)['blastRadius']);
    expect(radius['byKind']).toEqual({ Pod: 2, ReplicaSet: 1, Service: 2, Deployment: 1 });
    const nearest = list({ ...r, data: radius }, 'nearest');
    expect(nearest).toContainEqual({
      kind: 'Deployment',
      name: 'cart',
      namespace: 'shop',
      depth: 3,
      edge: 'owns',
    });
    const shallow = await call(topology, { resource: { kind: 'cm', name: 'cart-config' }, depth: 1 }, ctx);
    expect(rec(rec(shallow.data)['blastRadius'])['byKind']).toEqual({ Pod: 2 });
  });

  it('answers error for an unknown object with close names', async () => {
    const r = await call(topology, { resource: { kind: 'cm', name: 'cart-conf' } }, toolContext(fleet.store));
    expect(r.status).toBe('error');
    expect(r.note).toContain('ConfigMap shop/cart-config');
  });

  it('answers no_data for an object the graph does not hold (deleted)', async () => {
    const r = await call(
      topology,
      { resource: { kind: 'deploy', name: 'old-worker' } },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('no_data');
  });
});
