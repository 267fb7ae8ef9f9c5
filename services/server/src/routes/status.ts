import type { FastifyInstance } from 'fastify';
import type { FrozenConfig } from '@sleuth/core';
import type { DetectionStatus } from '@sleuth/detect';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { Store } from '@sleuth/store';

export interface StatusDeps {
  store: Store;
  queue: IngestQueue;
  config: FrozenConfig;
  startedMs: number;
  /** Detection's progress, when detection runs. */
  detection?: () => DetectionStatus | undefined;
}

/** GET /api/v1/status: what is stored, what is queued, and how Sleuth is configured to keep it. */
export function statusRoutes({ store, queue, config, startedMs, detection }: StatusDeps) {
  return function register(app: FastifyInstance): void {
    app.get('/status', async () => ({
      version: '0.1.0',
      uptimeSeconds: Math.round((Date.now() - startedMs) / 1000),
      store: { kind: config.store.kind, ...(await store.stats()) },
      ingest: { queuedRecords: queue.depth(), queueCapacityRecords: config.ingest.queueMaxRecords },
      detection: detection?.() ?? null,
      retention: {
        maxAgeHours: config.store.retentionMaxAgeHours,
        maxSizeMb: config.store.retentionMaxSizeMb,
      },
    }));
  };
}
