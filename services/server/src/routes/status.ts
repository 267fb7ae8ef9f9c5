import type { FastifyInstance } from 'fastify';
import type { FrozenConfig } from '@sleuth/core';
import type { DetectionStatus } from '@sleuth/detect';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { Store } from '@sleuth/store';
import { describeScope } from '../auth/principal';
import type { ScopeViews } from '../auth/scope-views';

export interface StatusDeps {
  store: Store;
  queue: IngestQueue;
  config: FrozenConfig;
  views: ScopeViews;
  startedMs: number;
  /** Detection's progress, when detection runs. */
  detection?: () => DetectionStatus | undefined;
}

/**
 * GET /api/v1/status: what is stored, what is queued, and how Sleuth is configured to keep it. The
 * store's counts and size are the whole fleet's: a scoped principal gets `store.scope` (what it
 * sees) instead of them, and the rest, which says how Sleuth itself is doing.
 */
export function statusRoutes({ store, queue, config, views, startedMs, detection }: StatusDeps) {
  return function register(app: FastifyInstance): void {
    app.get('/status', { config: { scoped: true } }, async (req) => {
      const view = views.of(req.principal);
      return {
        version: '0.1.0',
        uptimeSeconds: Math.round((Date.now() - startedMs) / 1000),
        store: view
          ? { kind: config.store.kind, scope: describeScope(view.scope) }
          : { kind: config.store.kind, ...(await store.stats()) },
        ingest: { queuedRecords: queue.depth(), queueCapacityRecords: config.ingest.queueMaxRecords },
        detection: detection?.() ?? null,
        retention: {
          maxAgeHours: config.store.retentionMaxAgeHours,
          maxSizeMb: config.store.retentionMaxSizeMb,
        },
      };
    });
  };
}
