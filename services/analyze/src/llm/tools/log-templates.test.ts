import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logTemplates } from './log-templates';
import { call, list, openFleet, rec, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

const cart = { kind: 'deploy', name: 'cart' };

describe('log_templates', () => {
  it('shows the error template that is new since the hour before, with a citable example line', async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(logTemplates, { resource: cart }, ctx);
    expect(r.status).toBe('ok');
    const [fresh] = list(r, 'new');
    expect(fresh).toMatchObject({ now: 15, before: 0, new: true });
    expect(String(fresh?.['template'])).toMatch(/^redis timeout after <\*>/);
    const signal = signalOf(ctx, fresh?.['evidenceId']);
    const [line] = signal?.kind === 'log' ? await fleet.store.getLogs(signal.ids) : [];
    expect(line?.body).toMatch(/^redis timeout after 50ms on GET cart:/);
    expect(r.query).toMatchObject({
      reference: { from: '2026-03-02T10:00:00Z', to: '2026-03-02T11:00:00Z' },
    });
  });

  it('counts each template now and before, most frequent first, and lists templates that stopped', async () => {
    const r = await call(logTemplates, { resource: cart }, toolContext(fleet.store));
    const [top] = list(r, 'templates');
    expect(top).toMatchObject({ now: 20, before: 30, new: false });
    expect(String(top?.['template'])).toMatch(/^GET <\*>/);
    expect(list(r, 'gone').map((t) => t['template'])).toEqual(['cache refreshed <*> keys']);
    expect(rec(r.data)['lines']).toEqual({ window: 36, reference: 35 });
  });

  it('mines only lines at or above a severity', async () => {
    const r = await call(logTemplates, { resource: cart, severity: 'error' }, toolContext(fleet.store));
    expect(list(r, 'templates')).toHaveLength(1);
  });

  it('answers no_data where nothing was logged, and error for an unknown object', async () => {
    const ctx = toolContext(fleet.store);
    const empty = await call(logTemplates, { namespace: 'blog' }, ctx);
    expect(empty.status).toBe('no_data');
    expect(empty.note).toMatch(/raise sinceMinutes/);
    const unknown = await call(logTemplates, { resource: { kind: 'deploy', name: 'kart' } }, ctx);
    expect(unknown.status).toBe('error');
    expect(unknown.note).toContain('Deployment shop/cart');
  });
});
