/**
 * Fuzzing the receivers over HTTP (fastify inject into the whole app: body parsers, content
 * encodings, routes, decoders, the ingest queue and a real SQLite store): OTLP/HTTP, Prometheus
 * remote write and the alert webhooks. Any body answers 2xx or a 4xx JSON error naming the
 * problem, never 5xx, and the server still answers good requests afterwards. The OTLP attribute
 * limits are set small so that generated records meet them; what they cut is reported to the sender
 * as a partial success and counted.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@sleuth/core';
import { encodeOtlpRequest, encodeWriteRequest, type OtlpSignal } from '@sleuth/pipeline';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { ServerMetrics, buildApp } from '@sleuth/server';
import { SqliteStore } from '@sleuth/store';
import { applyByteEdits, byteEdits, mutatedJson, wildBytes, wildJson } from './support/arbitraries';
import { fuzzAsync, FUZZ_TEST_TIMEOUT_MS, HTTP_RUNS } from './support/fuzz';
import { hostileRequest, validRequest } from './support/otlp-requests';
import { protobufLike } from './support/protobuf-bytes';

const TOKEN = 'fuzz-token-0123456789';
let app: FastifyInstance;
let store: SqliteStore;
let queue: IngestQueue;
let metrics: ServerMetrics;

beforeAll(async () => {
  const logger = createLogger('silent');
  const config = loadConfig({
    env: {},
    overrides: {
      'server.maxRequestBytes': 64 * 1024,
      'server.maxDecompressedBytes': 256 * 1024,
      'prometheus.remoteWrite.maxDecompressedBytes': 256 * 1024,
      'prometheus.remoteWrite.maxSamplesPerRequest': 1000,
      'alerts.maxAlertsPerDelivery': 50,
      'ingest.maxAttributesPerRecord': 2,
      'ingest.maxAttributeValueBytes': 16,
      'ingest.maxAttributeDepth': 2,
      'ingest.maxEventsPerSpan': 1,
      'alerts.receivers': [
        { name: 'am', source: 'alertmanager', cluster: 'fuzz', bearerToken: TOKEN },
        { name: 'grafana', source: 'grafana', cluster: 'fuzz', bearerToken: TOKEN },
        { name: 'generic', source: 'generic', cluster: 'fuzz', bearerToken: TOKEN },
      ],
    },
  });
  store = new SqliteStore({ path: ':memory:', synchronous: 'normal', logger });
  await store.start();
  queue = new IngestQueue({
    store,
    maxRecords: 100_000,
    writeBatchMaxRecords: 1000,
    retryAfterSeconds: 1,
    logger,
  });
  await queue.start();
  metrics = new ServerMetrics({ defaultMetrics: false });
  app = await buildApp({ config, store, queue, metrics, logger });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await queue.stop();
  await store.stop();
});

/** 2xx, or 4xx with a JSON error that names the problem; never 5xx. */
function expectAnswered(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode < 400) return;
  const body = res.json<{ error?: { code?: unknown; message?: unknown } }>();
  expect(typeof body.error?.code).toBe('string');
  const message = body.error?.message;
  expect(typeof message === 'string' && message !== '', res.body).toBe(true);
}

const SIGNALS: OtlpSignal[] = ['logs', 'metrics', 'traces'];
const signal = fc.constantFrom(...SIGNALS);
const contentType = fc.constantFrom('application/json', 'application/x-protobuf', 'text/plain', undefined);
const encoding = fc.constantFrom('identity', 'gzip', 'deflate', 'br', undefined);

/** A body for `signal`: valid or hostile JSON, valid or edited protobuf, or any bytes. */
const otlpBody = fc.oneof(
  ...SIGNALS.map((s) =>
    fc.oneof(
      validRequest(s).map((r) => Buffer.from(JSON.stringify(r))),
      hostileRequest(s).map((r) => Buffer.from(JSON.stringify(r))),
      fc.tuple(validRequest(s), fc.option(byteEdits, { nil: undefined })).map(([r, edits]) => {
        const pb = encodeOtlpRequest(s, r);
        return Buffer.from(edits === undefined ? pb : applyByteEdits(pb, edits));
      }),
    ),
  ),
  wildBytes.map((b) => Buffer.from(b)),
);

function encode(body: Buffer, enc: string | undefined, lie: boolean): Buffer {
  if (lie || enc === undefined || enc === 'identity' || enc === 'br') return body;
  return enc === 'gzip' ? gzipSync(body) : deflateSync(body);
}

async function stillServes(): Promise<void> {
  const ok = await app.inject({
    method: 'POST',
    url: '/v1/logs',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`, body: { stringValue: 'ok' } },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(ok.statusCode).toBe(200);
  expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
}

describe('the receivers over HTTP', () => {
  it(
    'answer any OTLP/HTTP request with 2xx or a 4xx JSON error',
    async () => {
      const arb = fc.record({ signal, type: contentType, enc: encoding, lie: fc.boolean(), body: otlpBody });
      await fuzzAsync(
        arb,
        async (r) => {
          const headers: Record<string, string> = {};
          if (r.type !== undefined) headers['content-type'] = r.type;
          if (r.enc !== undefined) headers['content-encoding'] = r.enc;
          const res = await app.inject({
            method: 'POST',
            url: `/v1/${r.signal}`,
            headers,
            payload: encode(r.body, r.enc, r.lie),
          });
          expectAnswered(res);
        },
        HTTP_RUNS,
      );
      await stillServes();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'answer any remote write request with 204 or a 4xx JSON error',
    async () => {
      const now = Date.now();
      const valid = fc
        .array(
          fc.record({
            labels: fc.dictionary(fc.constantFrom('__name__', 'job', 'pod', 'namespace', ''), fc.string(), {
              maxKeys: 4,
            }),
            samples: fc.array(fc.tuple(fc.integer({ min: now - 3_600_000, max: now + 1000 }), fc.double()), {
              maxLength: 3,
            }),
          }),
          { maxLength: 4 },
        )
        .map((series) => encodeWriteRequest(series));
      const body = fc.oneof(
        valid,
        fc.tuple(valid, byteEdits).map(([b, edits]) => Buffer.from(applyByteEdits(b, edits))),
        protobufLike.map((b) => Buffer.from(compress(b))),
        wildBytes.map((b) => Buffer.from(b)),
      );
      const arb = fc.record({
        body,
        type: fc.constantFrom(
          'application/x-protobuf',
          'application/x-protobuf;proto=prometheus.WriteRequest',
          'application/json',
        ),
        enc: fc.constantFrom('snappy', 'gzip', undefined),
      });
      await fuzzAsync(
        arb,
        async (r) => {
          const headers: Record<string, string> = { 'content-type': r.type };
          if (r.enc !== undefined) headers['content-encoding'] = r.enc;
          const res = await app.inject({ method: 'POST', url: '/api/v1/write', headers, payload: r.body });
          expectAnswered(res);
        },
        HTTP_RUNS,
      );
      await stillServes();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'answer any alert delivery with 200 or a 4xx JSON error',
    async () => {
      const now = new Date().toISOString();
      const alert = {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', namespace: 'shop', pod: 'cart-1' },
        annotations: { summary: 'errors' },
        startsAt: now,
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'abcdef0123456789',
      };
      const valid = { version: '4', status: 'firing', receiver: 'sleuth', alerts: [alert], groupLabels: {} };
      const body = fc.oneof(
        mutatedJson(fc.constant(valid)).map((v) => Buffer.from(JSON.stringify(v))),
        wildJson.map((v) => Buffer.from(JSON.stringify(v))),
        wildBytes.map((b) => Buffer.from(b)),
      );
      const arb = fc.record({
        receiver: fc.constantFrom('am', 'grafana', 'generic', 'nobody'),
        body,
        auth: fc.boolean(),
      });
      await fuzzAsync(
        arb,
        async (r) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (r.auth) headers['authorization'] = `Bearer ${TOKEN}`;
          const res = await app.inject({
            method: 'POST',
            url: `/api/v1/alerts/${r.receiver}`,
            headers,
            payload: r.body,
          });
          expectAnswered(res);
        },
        HTTP_RUNS,
      );
      await stillServes();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it('store a record past the attribute limits cut, and tell the sender and /metrics what was cut', async () => {
    const attributes = [
      { key: 'first', value: { stringValue: 'x'.repeat(40) } },
      { key: 'second', value: { arrayValue: { values: [{ arrayValue: { values: [{ intValue: '1' }] } }] } } },
      { key: 'third', value: { stringValue: 'dropped' } },
      { key: 'fourth', value: { stringValue: 'dropped' } },
    ];
    // The fuzz cases before this one were cut too: what this request adds is what counts.
    const limited = async (what: string): Promise<number> =>
      (await metrics.ingestLimited.get()).values.find(
        (v) => v.labels.signal === 'logs' && v.labels.what === what,
      )?.value ?? 0;
    const dropped = await limited('attributes_dropped');
    const truncated = await limited('values_truncated');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'k8s.cluster.name', value: { stringValue: 'limits' } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
                    body: { stringValue: 'cut to the limits' },
                    attributes,
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 0,
        errorMessage:
          'logs: 2 attributes dropped past ingest.maxAttributesPerRecord (2 per resource, record, data point, span or span event); ' +
          '2 attribute values cut to ingest.maxAttributeValueBytes (16), ingest.maxAttributeDepth (2) or 2 elements; ' +
          'the records were stored without them',
      },
    });
    const page = await store.searchLogs({
      q: 'limits',
      cluster: 'limits',
      fromMs: 0,
      toMs: Date.now() + 1000,
    });
    expect(page.records.map((r) => r.attributes)).toEqual([{ first: 'x'.repeat(16), second: [[]] }]);
    expect(await limited('attributes_dropped')).toBe(dropped + 2);
    expect(await limited('values_truncated')).toBe(truncated + 2);
    expect(await metrics.registry.metrics()).toMatch(
      /^sleuth_ingest_limited_total\{signal="logs",what="attributes_dropped"\} \d+$/m,
    );
  });
});
