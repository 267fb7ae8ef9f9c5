import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIncident } from './get-incident';
import {
  call,
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

describe('get_incident', () => {
  it('reads an incident with its anomalies and ranked root causes, every piece of evidence citable', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(getIncident, { id: 'inc-cart' }, ctx);
    expect(r.data).toMatchObject({
      id: 'inc-cart',
      severity: 'high',
      status: 'open',
      start: '2026-03-02T11:42:00Z',
    });
    const anomalies = list(r, 'anomalies');
    expect(anomalies.map((a) => a['id'])).toEqual(['an-logs-cart', 'an-red-cart', 'an-crash-cart']);
    expect(signalOf(ctx, anomalies[1]?.['evidenceId'])).toEqual({ kind: 'anomaly', id: 'an-red-cart' });
    const [cause] = list(r, 'rootCauses');
    expect(cause).toMatchObject({
      rank: 1,
      failureMode: 'config-change',
      confidence: 0.8,
      remediation: { steps: ['Set TIMEOUT_MS in cart-config back to 500 and restart cart'] },
    });
    const evidence = list({ ...r, data: cause }, 'evidence');
    expect(signalOf(ctx, evidence[0]?.['evidenceId'])).toEqual({
      kind: 'object',
      ref: CART_CONFIG,
      timeMs: NOW - 30 * MIN,
      field: 'data.TIMEOUT_MS',
    });
    const log = signalOf(ctx, evidence[1]?.['evidenceId']);
    const [line] = log?.kind === 'log' ? await fleet.store.getLogs(log.ids) : [];
    expect(line?.body).toMatch(/^redis timeout/);
  });

  it('finds the latest open incident, and the one touching a pod through its Deployment', async () => {
    const ctx = toolContext(fleet.store);
    expect(rec((await call(getIncident, {}, ctx)).data)['id']).toBe('inc-cart');
    const viaOwner = await call(getIncident, { resource: { kind: 'po', name: 'cart-7d9f8-def34' } }, ctx);
    expect(rec(viaOwner.data)['id']).toBe('inc-cart');
  });

  it('answers no_data when no open incident touches the object, naming recent ones', async () => {
    const r = await call(
      getIncident,
      { resource: { kind: 'deploy', name: 'web', namespace: 'blog' } },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('no_data');
    expect(r.note).toContain('inc-old (resolved, web slow)');
  });

  it('answers error for an unknown id, listing the latest incidents', async () => {
    const r = await call(getIncident, { id: 'inc-nope' }, toolContext(fleet.store));
    expect(r).toMatchObject({ status: 'error', query: { id: 'inc-nope' } });
    expect(r.note).toContain('inc-cart (open, cart failing');
  });
});
