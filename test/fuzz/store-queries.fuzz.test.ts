/**
 * Fuzzing the server's query parsing (services/store/src/parse-query.ts with the query schemas,
 * and the full-text query reader fts-query.ts) against a real SQLite store: any query answers
 * results or a ValidationError naming the field, never a store failure. User text must never
 * reach FTS5 as syntax.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createLogger, emptyBatch } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { toFtsMatch } from '../../services/store/src/sqlite/fts-query';
import {
  blankedJson,
  mutatedJson,
  text,
  wildJson,
  wildNumber,
  wildScalar,
  wildString,
} from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, fuzzAsync, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';

const NOW = Date.now();
let store: SqliteStore;

beforeAll(async () => {
  store = new SqliteStore({ path: ':memory:', synchronous: 'normal', logger: createLogger('silent') });
  await store.start();
  const source = { cluster: 'prod', namespace: 'shop', workload: 'cart', pod: 'cart-1', container: 'app' };
  await store.writeBatch({
    ...emptyBatch(),
    logs: ['GET /cart 200 12ms', 'user "alice" failed: timeout', 'NEAR(a b) OR NOT c*'].map((body, i) => ({
      timeMs: NOW - i * 1000,
      source,
      severity: 'error' as const,
      body,
      attributes: {},
      traceId: '5b8efff798038103d269b633813fc60c',
    })),
    metrics: [0, 1, 2].map((i) => ({
      name: 'http_requests_total',
      labels: { code: '200', ...source },
      source,
      type: 'counter' as const,
      timeMs: NOW - i * 15_000,
      value: 10 - i,
    })),
  });
});
afterAll(async () => {
  await store.stop();
});

/** Query text a user might type, FTS5 operators and stray quotes included. */
const queryText = fc.oneof(
  text,
  wildString,
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '"',
          '*',
          '-',
          '-"',
          '"*',
          'AND',
          'OR',
          'NOT',
          'NEAR(',
          ')',
          '(',
          ':',
          'body:',
          '^',
          '{a b}',
          '+',
        ),
        fc.constantFrom('cart', 'user', 'alice', 'timeout', '200', 'é', '日本', '_', '10.0.0.1'),
        text,
      ),
      { maxLength: 8 },
    )
    .map((ws) => ws.join(' ')),
);
const severity = fc.oneof(fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal'), wildString);
const time = fc.oneof(fc.integer({ min: NOW - 86_400_000, max: NOW }), wildNumber, wildScalar);
const logQuery = fc.record(
  {
    q: queryText,
    fromMs: time,
    toMs: time,
    cluster: fc.oneof(fc.constantFrom('prod', 'other'), wildString),
    namespace: fc.oneof(fc.constant('shop'), wildString),
    workload: fc.oneof(fc.constant('cart'), wildString),
    pod: fc.oneof(fc.constant('cart-1'), wildString),
    container: fc.oneof(fc.constant('app'), wildString),
    service: wildString,
    severities: fc.oneof(fc.array(severity, { maxLength: 3 }), wildScalar),
    traceId: fc.oneof(fc.constant('5b8efff798038103d269b633813fc60c'), wildString),
    limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), wildNumber),
    cursor: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), wildString),
  },
  { requiredKeys: [] },
);

/** Valid queries of the other listings, to be mutated. */
const QUERIES = {
  listSeries: { name: 'http_*', labels: { code: '200' }, cluster: 'prod', fromMs: NOW - 60_000, limit: 10 },
  querySeries: {
    name: 'http_requests_total',
    fromMs: NOW - 60_000,
    toMs: NOW,
    stepMs: 15_000,
    agg: 'rate',
    limit: 5,
  },
  searchSpans: { service: 'cart', status: 'error', minDurationMs: 5, fromMs: NOW - 60_000, limit: 10 },
  listEvents: { cluster: 'prod', kind: 'Pod', type: 'Warning', reason: 'BackOff', limit: 10 },
  listObjects: {
    cluster: 'prod',
    kind: 'Pod',
    includeDeleted: true,
    limit: 10,
    after: { cluster: 'prod', kind: 'Pod', name: 'a' },
  },
  serviceCalls: { cluster: 'prod', fromMs: NOW - 60_000, limit: 10 },
} as const;
type Listing = keyof typeof QUERIES;
/** The store call of each listing; the query goes in unchecked, as an HTTP body would. */
const CALL: Record<Listing, (q: unknown) => Promise<unknown>> = {
  listSeries: (q) => store.listSeries(q as never),
  querySeries: (q) => store.querySeries(q as never),
  searchSpans: (q) => store.searchSpans(q as never),
  listEvents: (q) => store.listEvents(q as never),
  listObjects: (q) => store.listObjects(q as never),
  serviceCalls: (q) => store.serviceCalls(q as never),
};
const listing = fc.oneof(
  ...Object.entries(QUERIES).map(([name, q]) =>
    fc.tuple(
      fc.constant(name as Listing),
      fc.oneof(mutatedJson(fc.constant(q)), blankedJson(fc.constant(q)), wildJson),
    ),
  ),
);

/** Runs a store call: results, or a 4xx error naming the problem; a store failure fails the property. */
async function answered<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    const r = decodeOrReject(() => {
      throw err;
    });
    ensure(!r.ok && r.error.message !== '', () => 'an error without a message');
    return undefined;
  }
}

describe('the store query parsers', () => {
  it(
    'quote every full-text term, so user text is never FTS5 syntax',
    () => {
      fuzz(queryText, (q) => {
        const r = decodeOrReject(() => toFtsMatch(q, 'body'));
        if (!r.ok) return;
        for (const part of [r.value.include, r.value.exclude]) {
          if (part === undefined) continue;
          // Outside quoted strings only the column filter, AND/OR and the prefix star remain.
          const outside = part.replace(/"(?:[^"]|"")*"/g, '""');
          ensure(/^(?:body : ""(?: \*)?(?: (?:AND|OR) |$))+$/.test(outside), () => `FTS5 syntax: ${part}`);
        }
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'answer any log search with a page or a ValidationError',
    async () => {
      await fuzzAsync(logQuery, async (q) => {
        const page = await answered(() => store.searchLogs(q as never));
        if (page === undefined) return;
        ensure(page.records.length <= 1000, () => `${page.records.length} records in a page`);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'answer any series, span, event, object or service-call query with results or a ValidationError',
    async () => {
      await fuzzAsync(listing, async ([name, q]) => {
        await answered(() => CALL[name](q));
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
