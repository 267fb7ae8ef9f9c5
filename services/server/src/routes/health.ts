import type { FastifyInstance } from 'fastify';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { Store, WriteFailure, WriteFailureReason } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';

export interface HealthDeps {
  store: Pick<Store, 'stats' | 'writeFailure'>;
  queue: Pick<IngestQueue, 'depth'>;
  metrics: ServerMetrics;
  queueCapacity: number;
}

const FAILURES: Record<WriteFailureReason, string> = {
  disk_full: 'disk full',
  locked: 'database locked',
  io_error: 'I/O error',
  out_of_memory: 'out of memory',
};

const at = (ms: number): string => new Date(ms).toISOString();

/**
 * What readiness says about failing writes, e.g. `store: disk full: the last write at
 * 2026-11-24T10:00:00.000Z failed (writing a batch failed: the disk holding the database is full
 * (SQLITE_FULL): ...); 12 writes failed since ...; checked again at ...: 2.0 MiB free ...`.
 */
export function writeFailureProblem(f: WriteFailure): string {
  let text = `store: ${FAILURES[f.reason]}: the last write at ${at(f.atMs)} failed (${f.message})`;
  if (f.failedWrites > 1) text += `; ${f.failedWrites} writes failed since ${at(f.sinceMs)}`;
  if (f.lastCheck) text += `; checked again at ${at(f.lastCheck.atMs)}: ${f.lastCheck.result}`;
  return `${text}; ready again once a write succeeds`;
}

/**
 * /healthz: the process is alive. /readyz: it can take data now (store answers, its last write
 * did not fail for a reason that can clear up, ingest queue under 90% full); 503 with the reasons
 * otherwise. The write check reads what the store remembers of its writes: it costs no write, and
 * the store itself checks every few seconds whether failing writes work again, so a server taken
 * out of rotation by this answer comes back once they do. /metrics: Prometheus text format.
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
      const failure = store.writeFailure();
      if (failure) problems.push(writeFailureProblem(failure));
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
