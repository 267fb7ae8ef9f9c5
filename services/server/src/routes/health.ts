import type { FastifyInstance } from 'fastify';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { Store } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';

export interface HealthDeps {
  store: Store;
  queue: IngestQueue;
  metrics: ServerMetrics;
  queueCapacity: number;
}

/**
 * /healthz: the process is alive. /readyz: it can take data now (store answers, ingest queue under
 * 90% full); 503 with the reasons otherwise. /metrics: Prometheus text format.
 */
export function healthRoutes({ store, queue, metrics, queueCapacity }: HealthDeps) {
  return function register(app: FastifyInstance): void {
    app.get('/healthz', () => ({ status: 'ok' }));

    app.get('/readyz', async (_req, reply) => {
      const problems: string[] = [];
      try {
        await store.stats();
      } catch (err) {
        problems.push(`store: ${(err as Error).message}`);
      }
      const depth = queue.depth();
      if (depth >= queueCapacity * 0.9) problems.push(`ingest queue ${depth}/${queueCapacity} records`);
      if (problems.length > 0) return reply.status(503).send({ status: 'not_ready', problems });
      return { status: 'ready' };
    });

    app.get('/metrics', async (_req, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  };
}
