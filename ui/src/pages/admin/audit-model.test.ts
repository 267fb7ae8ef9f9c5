import { describe, expect, it } from 'vitest';
import { actorText, auditFilters, detailsText, localInput, parseLocalInput } from './audit-model';

describe('the audit table', () => {
  it('reads its filters from the query string, ignoring what the API would refuse', () => {
    const q = new URLSearchParams('action=token&actor=usr_1&outcome=denied&from=1000&to=abc');
    expect(auditFilters(q)).toEqual({
      action: 'token',
      actor: 'usr_1',
      outcome: 'denied',
      from: 1000,
      to: undefined,
      before: undefined,
      limit: 100,
    });
    expect(auditFilters(new URLSearchParams('outcome=maybe')).outcome).toBeUndefined();
    expect(auditFilters(new URLSearchParams('before=42')).before).toBe(42);
  });

  it('round-trips a local time to the minute', () => {
    const ms = new Date(2026, 0, 31, 9, 5).getTime();
    expect(localInput(ms)).toBe('2026-01-31T09:05');
    expect(parseLocalInput(localInput(ms))).toBe(ms);
    expect(parseLocalInput('')).toBeUndefined();
    expect(parseLocalInput('not a time')).toBeUndefined();
  });

  it('names the actor and spells out the details', () => {
    expect(actorText({ kind: 'user', id: 'usr_1', name: 'alice' })).toBe('alice');
    expect(actorText({ kind: 'token', id: '3f9c', name: 'ci fixes' })).toBe('token ci fixes');
    expect(actorText({ kind: 'anonymous' })).toBe('anonymous');
    expect(detailsText({ route: 'DELETE /tokens/:id', status: 200, scope: 'all clusters' })).toBe(
      'route: DELETE /tokens/:id · status: 200 · scope: all clusters',
    );
    expect(
      detailsText({
        name: 'ci',
        scope: [{ cluster: 'prod-eu' }, { cluster: 'prod-us', namespace: 'shop' }],
        expiresMs: Date.UTC(2026, 11, 24, 9, 51),
        tags: ['a'],
      }),
    ).toBe('name: ci · scope: prod-eu, prod-us/shop · expiresMs: 2026-12-24T09:51:00.000Z · tags: ["a"]');
    expect(detailsText(undefined)).toBe('');
  });
});
