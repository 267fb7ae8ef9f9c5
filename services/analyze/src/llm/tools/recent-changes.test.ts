import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentChanges } from './recent-changes';
import {
  call,
  CART,
  CART_CONFIG,
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

describe('recent_changes', () => {
  it("lists a namespace's rollout, config change and deletion, newest first, each citable as the new state", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(recentChanges, { namespace: 'shop' }, ctx);
    const changes = list(r, 'changes');
    expect(changes.map((c) => [c['object'], c['types'], c['changes']])).toEqual([
      ['Deployment shop/old-worker', ['deletion'], ['deleted']],
      ['Deployment shop/cart', ['rollout'], ['image of container cart: shop/cart:1.4.0 → shop/cart:1.5.0']],
      ['ConfigMap shop/cart-config', ['config'], ['data changed (TIMEOUT_MS)']],
    ]);
    expect(signalOf(ctx, changes[1]?.['evidenceId'])).toEqual({
      kind: 'object',
      ref: CART,
      timeMs: NOW - 20 * MIN,
    });
    expect(signalOf(ctx, changes[2]?.['evidenceId'])).toEqual({
      kind: 'object',
      ref: CART_CONFIG,
      timeMs: NOW - 30 * MIN,
    });
  });

  it("for a Deployment, includes the config its pods use but not other objects' changes", async () => {
    const r = await call(
      recentChanges,
      { resource: { kind: 'deploy', name: 'cart' } },
      toolContext(fleet.store),
    );
    expect(list(r, 'changes').map((c) => c['object'])).toEqual([
      'Deployment shop/cart',
      'ConfigMap shop/cart-config',
    ]);
    const cm = await call(
      recentChanges,
      { resource: { kind: 'deploy', name: 'cart' }, kinds: ['cm'] },
      toolContext(fleet.store),
    );
    expect(list(cm, 'changes').map((c) => c['object'])).toEqual(['ConfigMap shop/cart-config']);
  });

  it('does not report the first state seen of an object created long before as a change', async () => {
    const r = await call(recentChanges, { namespace: 'shop', sinceMinutes: 600 }, toolContext(fleet.store));
    expect(list(r, 'changes').flatMap((c) => c['types'])).not.toContain('creation');
  });

  it('stops at the limit and answers no_data for a quiet window', async () => {
    const ctx = toolContext(fleet.store);
    const one = await call(recentChanges, { namespace: 'shop', limit: 1 }, ctx);
    expect(list(one, 'changes')).toHaveLength(1);
    expect(rec(one.data)['more']).toBe(true);
    const quiet = await call(
      recentChanges,
      { namespace: 'shop', from: '2026-03-01T00:00:00Z', to: '2026-03-01T06:00:00Z' },
      ctx,
    );
    expect(quiet.status).toBe('no_data');
    expect(quiet.note).toContain('2026-03-01T00:00:00Z');
  });

  it('answers error for an unknown object', async () => {
    const r = await call(
      recentChanges,
      { resource: { kind: 'deploy', name: 'kart' } },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('error');
    expect(r.note).toContain('Deployment shop/cart');
  });
});
