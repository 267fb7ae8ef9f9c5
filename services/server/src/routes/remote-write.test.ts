import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, type SignalBatch } from '@sleuth/core';
import { encodeWriteRequest } from '@sleuth/pipeline';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { ClusterRegistry } from '../clusters';
import { ServerMetrics } from '../metrics';
import { registerErrorHandler } from '../plugins/error-handler';
import { remoteWriteRoutes } from './remote-write';

const HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };
const logger = createLogger('silent');

interface Harness {
  app: FastifyInstance;
  metrics: ServerMetrics;
  written: SignalBatch[];
  /** Lets the store finish the writes it holds. */
  release: () => void;
}

let open: Harness | undefined;

/** The receiver alone, on an ingest queue whose store holds every write until released. */
async function harness(overrides: Record<string, unknown>): Promise<Harness> {
  const config = loadConfig({ env: {}, overrides });
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const written: SignalBatch[] = [];
  const store = {
    writeBatch: async (batch: SignalBatch) => {
      await gate;
      written.push(batch);
      return { logs: 0, metrics: batch.metrics.length, spans: 0, events: 0, objects: 0 };
    },
  };
  const queue = new IngestQueue({
    store,
    maxRecords: config.ingest.queueMaxRecords,
    writeBatchMaxRecords: 100,
    retryAfterSeconds: config.ingest.retryAfterSeconds,
    logger,
  });
  await queue.start();
  const metrics = new ServerMetrics({ defaultMetrics: false });
  const app = Fastify();
  registerErrorHandler(app);
  await app.register(remoteWriteRoutes({ config, queue, metrics, clusters: new ClusterRegistry() }));
  open = { app, metrics, written, release };
  return open;
}

afterEach(async () => {
  open?.release();
  await open?.app.close();
  open = undefined;
});

const body = (samples: number) =>
  encodeWriteRequest([
    {
      labels: { __name__: 'queue_depth', pod: 'a' },
      samples: Array.from({ length: samples }, (_, i): [number, number] => [Date.now() - i * 1000, i]),
    },
  ]);

describe('remote write receiver', () => {
  it('answers a full ingest queue 503 with Retry-After, which Prometheus retries, and loses nothing held', async () => {
    const h = await harness({ 'ingest.queueMaxRecords': 2, 'ingest.retryAfterSeconds': 7 });
    const held = h.app.inject({ method: 'POST', url: '/api/v1/write', headers: HEADERS, payload: body(2) });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/write',
      headers: HEADERS,
      payload: body(1),
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toMatchObject({ error: { code: 'unavailable' } });
    h.release();
    expect((await held).statusCode).toBe(204);
    expect(h.written.flatMap((b) => b.metrics)).toHaveLength(2);
    const text = await h.metrics.registry.metrics();
    expect(text).toMatch(/sleuth_ingest_records_total\{signal="remote_write",outcome="throttled"\} 1/);
    expect(text).toMatch(/sleuth_ingest_records_total\{signal="remote_write",outcome="accepted"\} 2/);
  });

  it('accepts anonymous writes only while ingest.allowAnonymous is true and no token is set', async () => {
    const anonymous = await harness({});
    anonymous.release();
    const ok = await anonymous.app.inject({
      method: 'POST',
      url: '/api/v1/prom/write',
      headers: HEADERS,
      payload: body(1),
    });
    expect(ok.statusCode).toBe(204);
    await anonymous.app.close();

    const closed = await harness({ 'ingest.allowAnonymous': false });
    const refused = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/write',
      headers: HEADERS,
      payload: body(1),
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toMatch(/prometheus\.remoteWrite\.bearerToken/);
  });

  it('answers 204 to a request holding only metadata', async () => {
    const h = await harness({});
    h.release();
    const payload = encodeWriteRequest([], [{ type: 1, family: 'jobs_done', help: 'Jobs done.' }]);
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/write', headers: HEADERS, payload });
    expect(r.statusCode).toBe(204);
    expect(h.written).toEqual([]);
  });
});
