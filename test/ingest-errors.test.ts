/**
 * Bad input gets a clear 4xx JSON answer naming the problem, and loses nothing good: malformed,
 * oversized and partly bad OTLP batches, bad query parameters, and overload (429 + Retry-After).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, type LogRecord, type SignalBatch } from '@sleuth/core';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { SqliteStore, type WriteResult } from '@sleuth/store';
import { ServerMetrics, buildApp } from '@sleuth/server';
import { getJson, startTestServer, type TestServer } from './support/server';

const NOW_NS = () => `${BigInt(Date.now()) * 1_000_000n}`;

function logRequest(records: object[], service = 'orders') {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            { key: 'k8s.cluster.name', value: { stringValue: 'prod-us' } },
            { key: 'k8s.namespace.name', value: { stringValue: 'orders' } },
          ],
        },
        scopeLogs: [{ scope: { name: 't' }, logRecords: records }],
      },
    ],
  };
}

function goodLog(body: string) {
  return { timeUnixNano: NOW_NS(), severityNumber: 9, body: { stringValue: body } };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    json: json as Record<string, unknown> | undefined,
    text,
  };
}

const JSON_HDR = { 'content-type': 'application/json' };
const PROTO_HDR = { 'content-type': 'application/x-protobuf' };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    'server.maxRequestBytes': 64 * 1024,
    'server.maxDecompressedBytes': 256 * 1024,
  });
});
afterAll(async () => {
  await server.dispose();
});

describe('OTLP receivers on bad input', () => {
  it('answers 400 naming the problem for invalid JSON', async () => {
    const r = await post(`${server.url}/v1/logs`, '{"resourceLogs": [', JSON_HDR);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'decode_failed' } });
    expect(JSON.stringify(r.json)).toMatch(/JSON/i);
  });

  it('answers 400 for bytes that are not an OTLP protobuf message', async () => {
    const r = await post(
      `${server.url}/v1/traces`,
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      PROTO_HDR,
    );
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'decode_failed' } });
  });

  it('answers 400 for JSON of the wrong shape', async () => {
    const r = await post(`${server.url}/v1/metrics`, JSON.stringify({ resourceMetrics: 'nope' }), JSON_HDR);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toMatch(/resourceMetrics/);
  });

  it('answers 415 for a content type or encoding it does not speak', async () => {
    const r = await post(`${server.url}/v1/logs`, 'hello', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.json).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const br = await post(`${server.url}/v1/logs`, '{}', { ...JSON_HDR, 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    expect(JSON.stringify(br.json)).toMatch(/br/);
  });

  it('answers 413 for a body over the limit, and for gzip that inflates past it', async () => {
    const big = JSON.stringify(logRequest([goodLog('x'.repeat(70 * 1024))]));
    const r = await post(`${server.url}/v1/logs`, big, JSON_HDR);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ error: { code: 'payload_too_large' } });
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const b = await post(`${server.url}/v1/logs`, bomb, { ...JSON_HDR, 'content-encoding': 'gzip' });
    expect(b.status).toBe(413);
    expect(JSON.stringify(b.json)).toMatch(/inflates/);
  });

  it('accepts gzip-compressed requests', async () => {
    const body = gzipSync(JSON.stringify(logRequest([goodLog('gzip delivery works')])));
    const r = await post(`${server.url}/v1/logs`, body, { ...JSON_HDR, 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    const page = await getJson<{ records: LogRecord[] }>(
      server.url,
      '/api/v1/logs?q=%22gzip+delivery+works%22',
    );
    expect(page.records).toHaveLength(1);
  });

  it('keeps the good records of a partly bad batch and reports the rejected ones (OTLP partial success)', async () => {
    const records = [
      goodLog('partial batch good one'),
      { ...goodLog('partial batch bad trace id'), traceId: 'not-hex' },
      goodLog('partial batch good two'),
    ];
    const r = await post(`${server.url}/v1/logs`, JSON.stringify(logRequest(records)), JSON_HDR);
    expect(r.status).toBe(200);
    expect(r.json).toHaveProperty('partialSuccess.rejectedLogRecords');
    const partial = r.json?.['partialSuccess'] as {
      rejectedLogRecords: string | number;
      errorMessage: string;
    };
    expect(Number(partial.rejectedLogRecords)).toBe(1);
    expect(partial.errorMessage).toMatch(/traceId/);
    const page = await getJson<{ records: LogRecord[] }>(server.url, '/api/v1/logs?q=partial+batch');
    expect(page.records.map((x) => x.body).sort()).toEqual([
      'partial batch good one',
      'partial batch good two',
    ]);
  });

  it('answers 400 when every record of a batch is invalid', async () => {
    const records = [{ ...goodLog('bad'), spanId: 'zz' }];
    const r = await post(`${server.url}/v1/logs`, JSON.stringify(logRequest(records)), JSON_HDR);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toMatch(/spanId/);
  });
});

describe('query API on bad input', () => {
  it('answers 400 naming the parameter', async () => {
    const r = await fetch(`${server.url}/api/v1/logs?limit=many`);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/limit/);
    const t = await fetch(`${server.url}/api/v1/logs?from=yesterday-ish`);
    expect(t.status).toBe(400);
    expect(((await t.json()) as { error: { message: string } }).error.message).toMatch(/from.*not a time/);
    const sev = await fetch(`${server.url}/api/v1/logs?severity=loud`);
    expect(sev.status).toBe(400);
  });

  it('answers 404 JSON for unknown routes and objects', async () => {
    const r = await fetch(`${server.url}/api/v1/nope`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const o = await fetch(`${server.url}/api/v1/objects/prod-eu/shop/Pod/ghost`);
    expect(o.status).toBe(404);
  });
});

/** A real SQLite store whose writes wait on a gate, to hold the ingest queue full. */
class StalledStore extends SqliteStore {
  release!: () => void;
  private gate = new Promise<void>((r) => (this.release = r));
  override async writeBatch(batch: SignalBatch): Promise<WriteResult> {
    await this.gate;
    return super.writeBatch(batch);
  }
}

describe('overload', () => {
  it('answers 429 with Retry-After when the ingest queue is full, and loses nothing it acknowledged', async () => {
    const config = loadConfig({
      env: {},
      overrides: { 'ingest.queueMaxRecords': 3, 'ingest.retryAfterSeconds': 7, 'auth.enabled': false },
    });
    const logger = createLogger('silent');
    const store = new StalledStore({ path: ':memory:', synchronous: 'normal', logger });
    await store.start();
    const queue = new IngestQueue({
      store,
      maxRecords: 3,
      writeBatchMaxRecords: 100,
      retryAfterSeconds: 7,
      logger,
    });
    await queue.start();
    const app = await buildApp({
      config,
      store,
      queue,
      metrics: new ServerMetrics({ defaultMetrics: false }),
      logger,
      authDataDir: ':memory:',
    });
    const send = (body: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: JSON_HDR,
        payload: JSON.stringify(logRequest([goodLog(body)])),
      });

    const first = send('held one');
    const second = send('held two');
    await new Promise((r) => setTimeout(r, 50));
    const third = send('held three');
    await new Promise((r) => setTimeout(r, 50));
    const refused = await send('refused');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toMatchObject({ error: { code: 'overloaded' } });

    store.release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect((await third).statusCode).toBe(200);
    const page = await store.searchLogs({ q: 'held' });
    expect(page.records).toHaveLength(3);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/sleuth_ingest_records_total\{signal="logs",outcome="throttled"\} 1/);
    await app.close();
    await queue.stop();
    await store.stop();
  });
});
