import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type LogRecord, type Severity, type SignalSource } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { ServerMetrics } from '../metrics';
import { registerErrorHandler } from '../plugins/error-handler';
import { bucketWidth, logTemplateRoutes, type LogTemplatesAnswer } from './log-templates';

const T = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;
const CART: SignalSource = { cluster: 'eu', namespace: 'shop', workload: 'cart', pod: 'cart-1' };
const LEDGER: SignalSource = { cluster: 'eu', namespace: 'pay', workload: 'ledger', pod: 'ledger-0' };

const line = (timeMs: number, body: string, source = CART, severity: Severity = 'info'): LogRecord => ({
  timeMs,
  source,
  severity,
  body,
  attributes: {},
});

let dir: string;
let store: SqliteStore;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-tpl-'));
  store = new SqliteStore({ path: join(dir, 'db'), synchronous: 'normal' });
  await store.start();
  const logs: LogRecord[] = [];
  // The hour before T: only the ordinary request lines.
  for (let i = 0; i < 60; i++) logs.push(line(T - 60 * MIN + i * MIN, `GET /cart/${i} 200 in ${i + 3}ms`));
  // The hour from T: the same requests, then a new error from minute 40, and another workload.
  for (let i = 0; i < 60; i++) logs.push(line(T + i * MIN, `GET /cart/${100 + i} 200 in ${i + 5}ms`));
  for (let i = 40; i < 50; i++)
    logs.push(line(T + i * MIN + 1000, `redis timeout after ${i}ms on cart-cache:6379`, CART, 'error'));
  for (let i = 0; i < 5; i++) logs.push(line(T + i * MIN, `ledger batch ${i} committed`, LEDGER));
  await store.writeBatch({ ...emptyBatch(), logs });
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(logTemplateRoutes({ store, metrics: new ServerMetrics({ defaultMetrics: false }) }), {
    prefix: '/api/v1',
  });
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(query: string): Promise<LogTemplatesAnswer> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/log-templates?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<LogTemplatesAnswer>();
}

describe('GET /api/v1/log-templates', () => {
  it('lists the scope’s templates by count, with counts per bucket and the new ones', async () => {
    const a = await get(`namespace=shop&from=${T}&to=${T + 60 * MIN}`);
    expect(a.window).toMatchObject({ lines: 70, truncated: false });
    expect(a.reference).toMatchObject({ from: T - 60 * MIN, to: T, lines: 60 });
    expect(a.bucketMs).toBe(2 * MIN);
    expect(a.buckets).toHaveLength(30);
    expect(a.top.map((t) => [t.text, t.count, t.before, t.new])).toEqual([
      ['GET <*> <*> in <*>', 60, 60, false],
      ['redis timeout after <*> on cart-cache:<*>', 10, 0, true],
    ]);
    const redis = a.top[1]!;
    expect(redis.firstSeenMs).toBe(T + 40 * MIN + 1000);
    expect(redis.lastSeenMs).toBe(T + 49 * MIN + 1000);
    // Minutes 40..49 fall in the 2-minute buckets 20..24, two lines each.
    expect(redis.counts.slice(19, 26)).toEqual([0, 2, 2, 2, 2, 2, 0]);
    expect(redis.counts.reduce((s, c) => s + c, 0)).toBe(10);
    expect(redis.example).toMatchObject({
      severity: 'error',
      body: 'redis timeout after 49ms on cart-cache:6379',
    });
    const byId = await store.getLogs([redis.example.id]);
    expect(byId[0]?.body).toBe(redis.example.body);
    expect(a.new.map((t) => t.text)).toEqual(['redis timeout after <*> on cart-cache:<*>']);
    expect(a.total).toBe(2);
  });

  it('filters by workload and severity and caps the list at limit', async () => {
    const ledger = await get(`workload=ledger&from=${T}&to=${T + 60 * MIN}`);
    expect(ledger.top.map((t) => t.text)).toEqual(['ledger batch <*> committed']);
    const errors = await get(`cluster=eu&severity=error,fatal&from=${T}&to=${T + 60 * MIN}`);
    expect(errors.top.map((t) => t.text)).toEqual(['redis timeout after <*> on cart-cache:<*>']);
    const one = await get(`cluster=eu&from=${T}&to=${T + 60 * MIN}&limit=1`);
    expect(one.top).toHaveLength(1);
    expect(one.total).toBe(3);
  });

  it('runs an open window to its newest line', async () => {
    const a = await get(`namespace=pay&from=${T}`);
    expect(a.to).toBeGreaterThanOrEqual(Date.now() - 1000);
    expect(a.top[0]?.count).toBe(5);
  });

  it('answers an empty or inverted window clearly', async () => {
    const none = await get(`namespace=shop&from=${T + 2 * 60 * MIN}&to=${T + 3 * 60 * MIN}`);
    expect(none.top).toEqual([]);
    expect(none.window.lines).toBe(0);
    const bad = await app.inject({ method: 'GET', url: `/api/v1/log-templates?from=${T}&to=${T - MIN}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('`to` must be after');
    const notTime = await app.inject({ method: 'GET', url: '/api/v1/log-templates?from=yesterday' });
    expect(notTime.statusCode).toBe(400);
  });
});

describe('bucketWidth', () => {
  it('picks a round step for about 30 buckets', () => {
    expect(bucketWidth(15 * MIN)).toBe(30_000);
    expect(bucketWidth(60 * MIN)).toBe(2 * MIN);
    expect(bucketWidth(24 * 60 * MIN)).toBe(60 * MIN);
    expect(bucketWidth(7 * 24 * 60 * MIN)).toBe(6 * 60 * MIN);
  });
});
