import { describe, expect, it } from 'vitest';
import type { Alert, Incident } from '@sleuth/core';
import { alertInScope, incidentInScope, keptPage, MAX_SCANNED_ROWS, narrow } from './scoped-store';
import { scopeKey } from './scope-views';

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

describe('alertInScope', () => {
  const alert = (resources: Alert['resources']) => ({ cluster: 'eu', resources }) as Alert;
  it('needs every object it names in scope; one naming none needs the whole cluster', () => {
    const shop = [{ cluster: 'eu', namespace: 'shop' }];
    expect(alertInScope(shop, alert([{ cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'a' }]))).toBe(
      true,
    );
    expect(
      alertInScope(
        shop,
        alert([
          { cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'a' },
          { cluster: 'eu', namespace: 'pay', kind: 'Pod', name: 'b' },
        ]),
      ),
    ).toBe(false);
    expect(alertInScope(shop, alert([]))).toBe(false);
    expect(alertInScope([{ cluster: 'eu' }], alert([]))).toBe(true);
  });
});

describe('keptPage', () => {
  // A keyset-paged source of rows 0..n-1 (the cursor is the last row read).
  const source = (n: number) => {
    const reads: number[] = [];
    const read = (before: number | undefined, limit: number) => {
      const from = before === undefined ? 0 : before + 1;
      reads.push(limit);
      return Promise.resolve(
        Array.from({ length: Math.max(0, Math.min(limit, n - from)) }, (_, i) => from + i),
      );
    };
    return { read, reads };
  };

  it('reads on past pages the filter thinned until the page is full, in order', async () => {
    const { read } = source(1000);
    const page = await keptPage(
      10,
      undefined,
      read,
      (r) => r % 37 === 0,
      (r) => r,
    );
    expect(page).toEqual([0, 37, 74, 111, 148, 185, 222, 259, 296, 333]);
    const next = await keptPage(
      10,
      page.at(-1),
      read,
      (r) => r % 37 === 0,
      (r) => r,
    );
    expect(next[0]).toBe(370);
  });

  it('ends at the end of the source with what it kept', async () => {
    const { read } = source(250);
    expect(
      await keptPage(
        5,
        undefined,
        read,
        (r) => r > 247,
        (r) => r,
      ),
    ).toEqual([248, 249]);
  });

  it('reads at most MAX_SCANNED_ROWS rows for one page', async () => {
    const { read, reads } = source(10 * MAX_SCANNED_ROWS);
    expect(
      await keptPage(
        5,
        undefined,
        read,
        () => false,
        (r) => r,
      ),
    ).toEqual([]);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(MAX_SCANNED_ROWS);
  });
});

describe('scopeKey', () => {
  it('is the same whatever order the grants are in', () => {
    expect(scopeKey([{ cluster: 'a', namespace: 'x' }, { cluster: 'b' }])).toBe(
      scopeKey([{ cluster: 'b' }, { cluster: 'a', namespace: 'x' }]),
    );
    expect(scopeKey([{ cluster: 'a', namespace: 'x' }])).not.toBe(scopeKey([{ cluster: 'a' }]));
  });
});
