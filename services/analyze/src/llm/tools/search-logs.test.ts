import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchLogs } from './search-logs';
import { call, list, openFleet, rec, signalOf, toolContext, type Fleet } from './testing';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await openFleet();
});
afterAll(() => fleet.close());

describe('search_logs', () => {
  it("finds a Deployment's error lines, newest first, each citable as the stored log record", async () => {
    const ctx = toolContext(fleet.store);
    const r = await call(searchLogs, { resource: { kind: 'deploy', name: 'cart' }, severity: 'error' }, ctx);
    expect(r.status).toBe('ok');
    const lines = list(r, 'lines');
    expect(lines).toHaveLength(15);
    expect(lines.every((l) => String(l['body']).startsWith('redis timeout after 50ms'))).toBe(true);
    expect(lines[0]).toMatchObject({
      time: '2026-03-02T11:56:00Z',
      pod: 'cart-7d9f8-abc12',
      container: 'cart',
    });
    const times = lines.map((l) => String(l['time']));
    expect([...times].sort().reverse()).toEqual(times);
    const signal = signalOf(ctx, lines[0]?.['evidenceId']);
    expect(signal?.kind).toBe('log');
    const [stored] = signal?.kind === 'log' ? await fleet.store.getLogs(signal.ids) : [];
    expect(stored?.body).toBe(lines[0]?.['body']);
    expect(r.query).toMatchObject({
      resource: { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'cart' },
      severity: 'error',
      from: '2026-03-02T11:00:00Z',
      to: '2026-03-02T12:00:00Z',
      limit: 30,
    });
  });

  it('treats severity as a minimum and searches the text with the store syntax', async () => {
    const ctx = toolContext(fleet.store);
    const warn = await call(searchLogs, { namespace: 'shop', severity: 'warn', limit: 200 }, ctx);
    expect(new Set(list(warn, 'lines').map((l) => l['severity']))).toEqual(new Set(['warn', 'error']));
    const phrase = await call(searchLogs, { q: '"upstream cart" -timeout' }, ctx);
    expect(list(phrase, 'lines').map((l) => l['pod'])).toEqual(Array(3).fill('checkout-5c6d-xyz99'));
  });

  it('stops at the limit, says more lines match and how to read the older ones', async () => {
    const ctx = toolContext(fleet.store);
    const pod = { kind: 'Pod', name: 'cart-7d9f8-abc12' };
    const r = await call(searchLogs, { resource: pod, limit: 5 }, ctx);
    const first = list(r, 'lines');
    expect(first).toHaveLength(5);
    expect(rec(r.data)['more']).toBe(true);
    const oldest = String(first[4]?.['time']);
    expect(r.note).toContain(`to=${oldest}`);
    const older = list(await call(searchLogs, { resource: pod, limit: 5, to: oldest }, ctx), 'lines');
    expect(older.every((l) => String(l['time']) < oldest)).toBe(true);
  });

  it('cuts long bodies and keeps the answer small at the default limit', async () => {
    const r = await call(searchLogs, { q: 'frame' }, toolContext(fleet.store));
    const body = String(list(r, 'lines')[0]?.['body']);
    expect(body.length).toBe(500);
    expect(body.endsWith('…')).toBe(true);
    const all = await call(searchLogs, { sinceMinutes: 180 }, toolContext(fleet.store));
    expect(list(all, 'lines')).toHaveLength(30);
    expect(JSON.stringify(all).length).toBeLessThan(12_000);
  });

  it('reads an explicit window: before the config change there were no errors', async () => {
    const r = await call(
      searchLogs,
      {
        resource: { kind: 'deployment', name: 'cart' },
        severity: 'error',
        from: '2026-03-02T10:00:00Z',
        to: '2026-03-02T11:30:00Z',
      },
      toolContext(fleet.store),
    );
    expect(r.status).toBe('no_data');
    expect(r.note).toContain('2026-03-02T10:00:00Z');
    expect(r.note).toMatch(/raise sinceMinutes.*drop severity/);
  });

  it('answers error, echoing the query, for an unknown object (with close names) and bad search text', async () => {
    const ctx = toolContext(fleet.store);
    const unknown = await call(
      searchLogs,
      { resource: { kind: 'deploy', name: 'carts', namespace: 'shop' } },
      ctx,
    );
    expect(unknown.status).toBe('error');
    expect(unknown.note).toContain('Deployment shop/cart (cluster prod)');
    expect(unknown.query).toMatchObject({ resource: { kind: 'deploy', name: 'carts' } });
    const badText = await call(searchLogs, { q: '"redis timeout' }, ctx);
    expect(badText).toMatchObject({ status: 'error', query: { q: '"redis timeout' } });
    expect(badText.note).toMatch(/quote/);
    const badTime = await call(searchLogs, { from: 'an hour ago' }, ctx);
    expect(badTime).toMatchObject({ status: 'error', query: { from: 'an hour ago' } });
  });

  it('refuses a Node filter, which logs do not carry', async () => {
    const r = await call(searchLogs, { resource: { kind: 'no', name: 'node-a' } }, toolContext(fleet.store));
    expect(r.status).toBe('error');
    expect(r.note).toMatch(/Node/);
  });
});
