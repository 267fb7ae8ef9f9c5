import { describe, expect, it } from 'vitest';
import type { Incident } from '@sleuth/core';
import { incidentInScope, narrow } from './scoped-store';

type Q = { cluster?: string; namespace?: string; limit?: number };

function incident(id: string, over: Partial<Incident>): Incident {
  return {
    id,
    title: id,
    status: 'open',
    severity: 'medium',
    startMs: 0,
    updatedMs: 1,
    resources: [{ cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'cart-1' }],
    anomalyIds: [],
    rootCauses: [],
    ...over,
  };
}

describe('narrow', () => {
  const shop = [{ cluster: 'prod-eu', namespace: 'shop' }];

  it('fills in the only grant, and empties a query for a place outside the scope', () => {
    expect(narrow<Q>(shop, { limit: 5 })).toEqual({ limit: 5, cluster: 'prod-eu', namespace: 'shop' });
    expect(narrow(shop, { cluster: 'prod-eu', namespace: 'payments' })).toBeUndefined();
    expect(narrow(shop, { cluster: 'prod-us' })).toBeUndefined();
    expect(narrow('all', { cluster: 'x' })).toEqual({ cluster: 'x' });
    expect(narrow([], {})).toBeUndefined();
  });

  it('leaves a query several grants match to the result filter', () => {
    const two = [{ cluster: 'prod-eu', namespace: 'shop' }, { cluster: 'dev' }];
    expect(narrow<Q>(two, { limit: 1 })).toEqual({ limit: 1 });
    expect(narrow(two, { cluster: 'dev', namespace: 'anything' })).toEqual({
      cluster: 'dev',
      namespace: 'anything',
    });
  });
});

describe('incidentInScope', () => {
  it('needs every resource and root cause in scope', () => {
    const shop = [{ cluster: 'eu', namespace: 'shop' }];
    expect(incidentInScope(shop, incident('a', {}))).toBe(true);
    const spans = incident('b', {
      resources: [
        { cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'cart-1' },
        { cluster: 'eu', kind: 'Node', name: 'n1' },
      ],
    });
    expect(incidentInScope(shop, spans)).toBe(false);
    expect(incidentInScope([{ cluster: 'eu' }], spans)).toBe(true);
  });
});
