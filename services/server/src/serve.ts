import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { FrozenConfig, Logger } from '@sleuth/core';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { HttpOtlpTransport, Simulator } from '@sleuth/simulator';
import { RetentionScheduler, SqliteStore, type Store } from '@sleuth/store';
import { buildApp } from './app';
import { ServerMetrics } from './metrics';

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:7070. */
  url: string;
  app: FastifyInstance;
  store: Store;
  simulator: Simulator | undefined;
  /** Stops taking requests, writes everything accepted, closes the store. Idempotent. */
  stop(): Promise<void>;
}

function shouldSimulate(config: FrozenConfig): boolean {
  // Until Kubernetes collectors exist (issue 3) no cluster can be configured, so auto means on.
  return config.simulator.mode !== 'off';
}

/**
 * The composition root of `sleuth serve`: opens the store, starts retention and the ingest queue,
 * listens, and (with no cluster configured) feeds the simulated fleet through the real OTLP
 * receivers over loopback HTTP — the same path as real data.
 */
export async function startServer(config: FrozenConfig, logger: Logger): Promise<RunningServer> {
  mkdirSync(config.store.dataDir, { recursive: true });
  const store = new SqliteStore({
    path: join(config.store.dataDir, 'sleuth.db'),
    synchronous: config.store.synchronous,
    logger,
    // Batches are written on their own thread: the event loop keeps answering (and decoding
    // the next requests) while SQLite writes, and ingest uses both cores.
    writeThread: true,
  });
  await store.start();

  const retention = new RetentionScheduler({
    store,
    intervalMs: config.store.retentionIntervalSeconds * 1000,
    policy: () => ({
      maxAgeMs: config.store.retentionMaxAgeHours * 3_600_000,
      maxBytes: config.store.retentionMaxSizeMb * 1024 * 1024,
      nowMs: Date.now(),
    }),
    logger,
  });
  const metrics = new ServerMetrics();
  const queue = new IngestQueue({
    store,
    maxRecords: config.ingest.queueMaxRecords,
    writeBatchMaxRecords: config.ingest.writeBatchMaxRecords,
    retryAfterSeconds: config.ingest.retryAfterSeconds,
    logger,
    observer: metrics.queueObserver(),
  });
  await queue.start();
  await retention.start();

  let simulator: Simulator | undefined;
  const app = await buildApp({ config, store, queue, metrics, logger, simulator: () => simulator });
  await app.listen({ host: config.server.host, port: config.server.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url }, 'Sleuth is listening');

  if (shouldSimulate(config)) {
    simulator = new Simulator({
      seed: config.simulator.seed,
      speed: config.simulator.speed,
      tickSeconds: config.simulator.tickSeconds,
      transport: new HttpOtlpTransport({ url, encode: encodeOtlpRequest, logger }),
      logger,
    });
    await simulator.start();
    logger.info({ url }, 'simulated fleet is sending OTLP to this server');
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await simulator?.stop();
      await app.close();
      await queue.stop();
      await retention.stop();
      await store.stop();
      logger.info('Sleuth stopped');
    })());
  return { url, app, store, simulator, stop };
}
