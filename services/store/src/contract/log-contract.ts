import { describe, expect, it } from 'vitest';
import { ValidationError, type LogRecord } from '@sleuth/core';
import type { LogQuery } from '../queries';
import type { Store } from '../store';
import { batchOf, CART_EU, CART_US, log, PAYMENTS_EU, SECOND, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** Eight lines worth searching for, then filler, from three sources. */
export const LOGS: LogRecord[] = [
  log({ timeMs: T0, body: 'GET /api/cart 200 in 12ms' }),
  log({
    timeMs: T0 + 1 * SECOND,
    body: 'connection refused to postgres-0.postgres:5432',
    severity: 'error',
    source: PAYMENTS_EU,
    traceId: TRACE,
  }),
  log({
    timeMs: T0 + 2 * SECOND,
    body: 'refused connection from 10.0.0.7',
    severity: 'warn',
    source: CART_US,
  }),
  log({
    timeMs: T0 + 3 * SECOND,
    body: 'payment declined for order 9912',
    severity: 'error',
    source: PAYMENTS_EU,
    traceId: TRACE,
  }),
  log({ timeMs: T0 + 4 * SECOND, body: 'timeout waiting for upstream payments', severity: 'warn' }),
  log({ timeMs: T0 + 5 * SECOND, body: 'checkout completed for order 9913', source: CART_US }),
  log({ timeMs: T0 + 6 * SECOND, body: 'user_id=42 logged in', severity: 'debug' }),
  log({
    timeMs: T0 + 7 * SECOND,
    body: 'Connection REFUSED by peer',
    severity: 'fatal',
    source: PAYMENTS_EU,
  }),
  ...Array.from({ length: 40 }, (_, i) =>
    log({
      timeMs: T0 + (10 + i) * SECOND,
      body: `heartbeat ok seq ${i}`,
      severity: i % 3 === 0 ? 'debug' : 'info',
      source: [CART_EU, PAYMENTS_EU, CART_US][i % 3] ?? CART_EU,
    }),
  ),
];

/** Input as it may arrive from outside TypeScript (an HTTP query string, a tool call). */
const asQuery = (q: Record<string, unknown>): LogQuery => q;

const bodies = async (store: Store, q: LogQuery): Promise<string[]> =>
  (await store.searchLogs({ limit: 1000, ...q })).records.map((r) => r.body);

/** Expected bodies, newest first, of the seeded logs that satisfy `keep`. */
const expected = (keep: (r: LogRecord) => boolean): string[] =>
  LOGS.filter(keep)
    .sort((a, b) => b.timeMs - a.timeMs)
    .map((r) => r.body);

export function logContract(make: MakeStore): void {
  describe('log search', () => {
    const ref = useStore(make, 'all', async (store) => {
      await store.writeBatch(batchOf({ logs: LOGS.slice(0, 20) }));
      await store.writeBatch(batchOf({ logs: LOGS.slice(20) }));
    });

    it('ANDs words, in any order and any case', async () => {
      expect(await bodies(ref.store, { q: 'connection refused' })).toEqual([
        'Connection REFUSED by peer',
        'refused connection from 10.0.0.7',
        'connection refused to postgres-0.postgres:5432',
      ]);
      expect(await bodies(ref.store, { q: 'get' })).toEqual(['GET /api/cart 200 in 12ms']);
    });

    it('matches a quoted phrase only as adjacent words', async () => {
      expect(await bodies(ref.store, { q: '"connection refused"' })).toEqual([
        'Connection REFUSED by peer',
        'connection refused to postgres-0.postgres:5432',
      ]);
    });

    it('matches prefixes, punctuated words, and excludes -words', async () => {
      expect(await bodies(ref.store, { q: 'postgr*' })).toEqual([
        'connection refused to postgres-0.postgres:5432',
      ]);
      expect(await bodies(ref.store, { q: 'user_id=42' })).toEqual(['user_id=42 logged in']);
      expect(await bodies(ref.store, { q: '10.0.0.7' })).toEqual(['refused connection from 10.0.0.7']);
      expect(await bodies(ref.store, { q: 'connection -postgres' })).toEqual([
        'Connection REFUSED by peer',
        'refused connection from 10.0.0.7',
      ]);
    });

    it.each([
      ['cluster', 'prod-us'],
      ['namespace', 'payments'],
      ['workload', 'payments-api'],
      ['pod', 'cart-8aa-zz001'],
      ['container', 'istio-proxy'],
      ['service', 'payments'],
    ] as const)('filters by %s', async (field, value) => {
      const got = await bodies(ref.store, { [field]: value });
      expect(got).toEqual(expected((r) => r.source[field] === value));
      expect(got.length).toBeGreaterThan(0);
      expect(await bodies(ref.store, { [field]: 'no-such-value' })).toEqual([]);
    });

    it('filters by severities, rare or common', async () => {
      expect(await bodies(ref.store, { severities: ['error'] })).toEqual(
        expected((r) => r.severity === 'error'),
      );
      const loud = ['warn', 'error', 'fatal'];
      expect(await bodies(ref.store, { severities: ['warn', 'error', 'fatal'] })).toEqual(
        expected((r) => loud.includes(r.severity)),
      );
      expect(await bodies(ref.store, { severities: ['debug'] })).toEqual(
        expected((r) => r.severity === 'debug'),
      );
      expect(await bodies(ref.store, { severities: ['info', 'fatal'], q: 'connection' })).toEqual([
        'Connection REFUSED by peer',
      ]);
    });

    it('filters by trace id, and combines text with filters', async () => {
      expect(await bodies(ref.store, { traceId: TRACE })).toEqual(expected((r) => r.traceId === TRACE));
      expect(await bodies(ref.store, { q: 'refused', cluster: 'prod-eu' })).toEqual([
        'Connection REFUSED by peer',
        'connection refused to postgres-0.postgres:5432',
      ]);
      expect(
        await bodies(ref.store, { q: 'heartbeat', namespace: 'payments', severities: ['debug'] }),
      ).toEqual(
        expected((r) => r.body.startsWith('heartbeat') && r.source === PAYMENTS_EU && r.severity === 'debug'),
      );
    });

    it('keeps a time window: from inclusive, to exclusive', async () => {
      expect(await bodies(ref.store, { fromMs: T0 + SECOND, toMs: T0 + 4 * SECOND })).toEqual([
        'payment declined for order 9912',
        'refused connection from 10.0.0.7',
        'connection refused to postgres-0.postgres:5432',
      ]);
      expect(await bodies(ref.store, { q: 'refused', fromMs: T0 + 2 * SECOND })).toEqual([
        'Connection REFUSED by peer',
        'refused connection from 10.0.0.7',
      ]);
    });

    it('returns newest first, each record with its id', async () => {
      const page = await ref.store.searchLogs({ limit: 1000 });
      expect(page.records.map((r) => r.body)).toEqual(expected(() => true));
      expect(page.records.every((r) => typeof r.id === 'string' && r.id !== '')).toBe(true);
      expect(page.nextCursor).toBeUndefined();
    });

    it.each([{}, { q: 'heartbeat' }, { namespace: 'shop' }])(
      'pages with a cursor, without gaps or repeats (%j)',
      async (q) => {
        const all = (await ref.store.searchLogs({ ...q, limit: 1000 })).records.map((r) => r.id);
        const paged: (string | undefined)[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 50; i++) {
          const page = await ref.store.searchLogs({
            ...q,
            limit: 7,
            ...(cursor === undefined ? {} : { cursor }),
          });
          expect(page.records.length).toBeLessThanOrEqual(7);
          paged.push(...page.records.map((r) => r.id));
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        expect(paged).toEqual(all);
        expect(new Set(paged).size).toBe(paged.length);
      },
    );

    it('reads records back by id, skipping unknown ids', async () => {
      const two = (await ref.store.searchLogs({ q: 'order', limit: 10 })).records;
      const ids = two.map((r) => r.id ?? '');
      expect(await ref.store.getLogs([...ids].reverse())).toEqual([...two].reverse());
      expect(await ref.store.getLogs(['999', 'nonsense', ''])).toEqual([]);
    });

    it.each<[LogQuery, RegExp]>([
      [{ limit: 0 }, /limit/],
      [{ limit: 5000 }, /limit/],
      [asQuery({ severities: ['loud'] }), /severities/],
      [{ traceId: 'abc' }, /traceId/],
      [{ cursor: 'not a cursor' }, /cursor/],
      [{ q: '"unclosed phrase' }, /quote/],
      [{ q: '!!! ???' }, /no words/],
      [{ fromMs: T0 + 10, toMs: T0 }, /fromMs/],
    ])('rejects an invalid query %j with a ValidationError naming the problem', async (q, message) => {
      const err: unknown = await ref.store.searchLogs(q).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(String(err)).toMatch(message);
    });
  });

  describe('log writes', () => {
    const ref = useStore(make, 'each');

    it('round-trip every field', async () => {
      const rec = log({
        timeMs: T0 + 0.25,
        observedTimeMs: T0 + 3.5,
        body: 'roundtrip-marker with all fields',
        severity: 'warn',
        source: CART_EU,
        attributes: { 'http.method': 'GET', n: 3, ok: true, none: null, list: [1, 'two', { three: 3.5 }] },
        traceId: TRACE,
        spanId: '00f067aa0ba902b7',
      });
      expect(await ref.store.writeBatch(batchOf({ logs: [rec] }))).toEqual({
        logs: 1,
        metrics: 0,
        spans: 0,
        events: 0,
        objects: 0,
      });
      const [found] = (await ref.store.searchLogs({ q: 'roundtrip-marker' })).records;
      expect(found).toEqual({ ...rec, id: found?.id });
      expect(await ref.store.getLogs([found?.id ?? ''])).toEqual([found]);
      const minimal = log({ timeMs: T0 + 1, body: 'minimal', source: { cluster: 'c1' } });
      await ref.store.writeBatch(batchOf({ logs: [minimal] }));
      const [back] = (await ref.store.searchLogs({ q: 'minimal' })).records;
      expect(back).toEqual({ ...minimal, id: back?.id });
    });

    it('keeps every record when many share one timestamp, across batches', async () => {
      for (let b = 0; b < 3; b++) {
        const logs = Array.from({ length: 50 }, (_, i) =>
          log({ timeMs: T0, body: `same-ms batch ${b} line ${i}` }),
        );
        await ref.store.writeBatch(batchOf({ logs }));
      }
      const page = await ref.store.searchLogs({ q: 'same-ms', limit: 1000 });
      expect(page.records).toHaveLength(150);
      expect(new Set(page.records.map((r) => r.id)).size).toBe(150);
    });
  });
}
