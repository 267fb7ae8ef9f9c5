import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '@sleuth/store';
import { storeFor } from '../auth/gate';
import type { IncidentFeed, IncidentNotice } from '../incident-feed';

export interface IncidentStreamDeps {
  feed: IncidentFeed;
  /** Where a scoped principal's stream checks each incident is visible to it. */
  store: Store;
  /** A comment line is sent this often so proxies and clients see the stream is alive (default 15 s). */
  heartbeatMs?: number;
}

/** A client that has not read this much of its stream is too slow to follow: its stream is closed. */
const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * `GET /api/v1/incidents/stream`: Server-Sent Events, one `incident` event (data: an
 * IncidentNotice) each time an incident opens, changes, resolves or reopens, optionally only for a
 * cluster or a status. A `: connected` comment starts the stream and `: heartbeat` comments keep it
 * alive. The stream ends when the client goes away or the server stops.
 */
export function incidentStreamRoutes({ feed, store, heartbeatMs = 15_000 }: IncidentStreamDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const streams = new Set<() => void>();
    app.addHook('preClose', (done) => {
      for (const end of [...streams]) end();
      done();
    });

    app.get(
      '/incidents/stream',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            cluster: z.string().min(1).optional(),
            status: z.enum(['open', 'resolved']).optional(),
          }),
        },
      },
      (req, reply) => {
        const { cluster, status } = req.query;
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': connected\n\n');
        let seq = 0;
        let ended = false;
        const write = (text: string): void => {
          if (ended) return;
          if (res.writableLength > MAX_UNREAD_BYTES) {
            req.log.warn('closing an incident stream whose client does not keep up');
            end();
            return;
          }
          res.write(text);
        };
        const send = (n: IncidentNotice): void =>
          write(`id: ${++seq}\nevent: incident\ndata: ${JSON.stringify(n)}\n\n`);
        // A scoped principal gets a notice only for an incident it may see; the lookups are chained
        // so notices keep their order.
        const scoped = req.principal && req.principal.scope !== 'all' ? storeFor(req, store) : undefined;
        let pending = Promise.resolve();
        const unsubscribe = feed.subscribe((n: IncidentNotice) => {
          if (cluster !== undefined && !n.clusters.includes(cluster)) return;
          if (status !== undefined && n.status !== status) return;
          if (!scoped) return send(n);
          pending = pending
            .then(async () => {
              if (await scoped.getIncident(n.id)) send(n);
            })
            .catch((err: unknown) =>
              req.log.warn({ err }, 'checking an incident for a scoped stream failed'),
            );
        });
        const beat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
        beat.unref();
        const end = (): void => {
          if (ended) return;
          ended = true;
          clearInterval(beat);
          unsubscribe();
          streams.delete(end);
          res.end();
        };
        streams.add(end);
        // The response closes when the client goes away (the request's own close comes earlier).
        res.on('close', end);
        res.on('error', end);
      },
    );
  };
}
