import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { FrozenConfig, Logger, SignalBatch } from '@sleuth/core';
import { DetectionRunner } from '@sleuth/detect';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesCollector } from '@sleuth/kubernetes';
import { HttpOtlpTransport, Simulator } from '@sleuth/simulator';
import { RetentionScheduler, SqliteStore, type Store } from '@sleuth/store';
import { buildApp } from './app';
import { AuthService } from './auth/auth-service';
import { ensureDemoRepo } from './remediation/demo-repo';
import { defaultDetectors, type DetectorSet } from './detectors';
import { IncidentFeed } from './incident-feed';
import { IncidentPipeline } from './incident-pipeline';
import { storeContextOptions } from './prometheus-setup';
import { ClusterRegistry } from './clusters';
import { InProcessSender } from './in-process-sender';
import { resolveKubeTarget } from './kube-target';
import { ServerMetrics } from './metrics';

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:7070. */
  url: string;
  app: FastifyInstance;
  store: Store;
  simulator: Simulator | undefined;
  collector: KubernetesCollector | undefined;
  /** Where anomalies and alerts become incidents. */
  incidents: IncidentPipeline;
  /** Incident changes as the live stream (`/api/v1/incidents/stream`) hears of them. */
  incidentFeed: IncidentFeed;
  /** Stops taking requests, writes everything accepted, closes the store. Idempotent. */
  stop(): Promise<void>;
}

function shouldSimulate(config: FrozenConfig, watchingACluster: boolean): boolean {
  if (config.simulator.mode === 'auto') return !watchingACluster;
  return config.simulator.mode === 'on';
}

/**
 * The composition root of `sleuth serve`: opens the store, starts retention and the ingest queue,
 * listens, and (with no cluster configured) feeds the simulated fleet through the real OTLP
 * receivers over loopback HTTP — the same path as real data.
 */
/** The store of `store.dataDir`, opened as the server opens it. */
export async function openStore(config: FrozenConfig, logger: Logger): Promise<SqliteStore> {
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
  return store;
}

/**
 * The store and the ingest queue in front of it, started: the server's, and `sleuth import`'s
 * without a server.
 */
export async function openStoreAndQueue(
  config: FrozenConfig,
  logger: Logger,
  metrics?: ServerMetrics,
  onWritten?: (batch: SignalBatch) => void,
): Promise<{ store: SqliteStore; queue: IngestQueue }> {
  const store = await openStore(config, logger);
  const queue = new IngestQueue({
    store,
    maxRecords: config.ingest.queueMaxRecords,
    writeBatchMaxRecords: config.ingest.writeBatchMaxRecords,
    retryAfterSeconds: config.ingest.retryAfterSeconds,
    logger,
    ...(metrics ? { observer: metrics.queueObserver() } : {}),
    ...(onWritten ? { onWritten } : {}),
  });
  await queue.start();
  return { store, queue };
}

export async function startServer(config: FrozenConfig, logger: Logger): Promise<RunningServer> {
  // Before anything is opened: a kubeconfig that cannot be used stops startup with its key.
  const kubeTarget = resolveKubeTarget(config);
  const metrics = new ServerMetrics();
  let detection: DetectionRunner | undefined;
  let detectors: DetectorSet | undefined;
  const incidentFeed = new IncidentFeed(logger);
  let saveTimer: NodeJS.Timeout | undefined;
  const { store, queue } = await openStoreAndQueue(config, logger, metrics, (batch) =>
    detection?.offer(batch),
  );
  const saveDetectors = (): void => {
    try {
      detectors?.save();
    } catch (err) {
      logger.error({ err }, 'saving detector state failed');
    }
  };
  // Anomalies and alerts become incidents (grouped by time and topology), diagnosed by the analyzers.
  const incidents = new IncidentPipeline(store, logger, Date.now, storeContextOptions(config, logger));
  incidents.onIncidentWritten((after, before) => incidentFeed.publish(after, before));
  await incidents.start();
  let ticker: NodeJS.Timeout | undefined;
  if (config.detect.enabled) {
    detectors = defaultDetectors(config, logger);
    detection = new DetectionRunner({
      downstream: incidents,
      detectors: detectors.detectors,
      sink: store,
      logger,
      maxPendingRecords: config.detect.maxPendingRecords,
      tickMs: config.detect.tickSeconds * 1000,
      observer: metrics.detectionObserver(),
    });
    await detection.start();
    // Log template ids must survive a crash too, not only a clean stop.
    saveTimer = setInterval(saveDetectors, 60_000);
    saveTimer.unref();
  } else {
    // Without detection nothing steps the incidents' clock: wall time does, for alerts' incidents.
    ticker = setInterval(() => {
      incidents.tick(Date.now()).catch((err: unknown) => logger.error({ err }, 'incident tick failed'));
    }, config.detect.tickSeconds * 1000);
    ticker.unref();
  }

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
  await retention.start();

  let simulator: Simulator | undefined;
  const simulate = shouldSimulate(config, kubeTarget !== undefined);
  // The simulated fleet comes with its GitOps repository, so its incidents get fixes out of the box.
  let demoRepo: string | undefined;
  if (simulate && config.remediation.repo.url === undefined && config.remediation.demoRepo) {
    demoRepo = await ensureDemoRepo(config.store.dataDir, logger).catch((err: unknown) => {
      logger.warn(
        { err },
        'cannot create the demo GitOps repository (is git installed?); fixes are not proposed',
      );
      return undefined;
    });
  }
  const clusters = new ClusterRegistry();
  const auth = new AuthService(config, logger);
  const app = await buildApp({
    auth,
    config,
    store,
    queue,
    metrics,
    logger,
    clusters,
    simulator: () => simulator,
    detection: () => detection?.status(),
    incidentFeed,
    incidents,
    ...(demoRepo ? { demoRepo } : {}),
  });
  await app.listen({ host: config.server.host, port: config.server.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url }, 'Sleuth is listening');
  auth.announce(config.server.publicUrl?.replace(/\/$/, '') ?? url);

  let collector: KubernetesCollector | undefined;
  if (kubeTarget) {
    collector = new KubernetesCollector({
      cluster: kubeTarget.cluster,
      kubeConfig: kubeTarget.kubeConfig,
      sender: new InProcessSender({ config, queue, metrics, clusters, logger }),
      logger,
      logs: kubeTarget.logs,
      usage: kubeTarget.usage,
    });
    const c = collector;
    clusters.attach(kubeTarget.cluster, () => c.status());
    await collector.start();
    logger.info(
      { cluster: kubeTarget.cluster, kubeconfig: kubeTarget.source },
      'watching the Kubernetes cluster',
    );
  }

  const simulatedCollectors: KubernetesCollector[] = [];
  if (simulate) {
    simulator = new Simulator({
      seed: config.simulator.seed,
      speed: config.simulator.speed,
      tickSeconds: config.simulator.tickSeconds,
      transport: new HttpOtlpTransport({ url, encode: encodeOtlpRequest, logger }),
      logger,
      serveKubernetesApis: true,
    });
    // Each simulated cluster is a Kubernetes API watched by the same collector as a real one;
    // container logs, metrics and traces come over OTLP as from a Collector in the cluster.
    for (const api of await simulator.startKubernetesApis()) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: api.cluster, server: api.url, skipTLSVerify: true }],
        users: [{ name: 'sleuth', token: api.token }],
        contexts: [{ name: api.cluster, cluster: api.cluster, user: 'sleuth' }],
        currentContext: api.cluster,
      });
      const c = new KubernetesCollector({
        cluster: api.cluster,
        kubeConfig: kc,
        sender: new InProcessSender({ config, queue, metrics, clusters, logger }),
        logger,
        logs: false,
        usage: false,
      });
      clusters.attach(api.cluster, () => c.status());
      await c.start();
      simulatedCollectors.push(c);
    }
    await simulator.start();
    logger.info({ url }, 'simulated fleet is sending OTLP to this server');
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const c of simulatedCollectors) await c.stop();
      await simulator?.stop();
      await collector?.stop();
      await app.close();
      auth.close();
      await queue.stop();
      await detection?.stop();
      if (saveTimer) clearInterval(saveTimer);
      if (ticker) clearInterval(ticker);
      saveDetectors();
      await retention.stop();
      await store.stop();
      logger.info('Sleuth stopped');
    })());
  return { url, app, store, simulator, collector, incidents, incidentFeed, stop };
}
