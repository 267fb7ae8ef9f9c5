import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '@sleuth/core';
import type { QueryRouteDeps } from './signals';
import { Limit, WindowParams } from './params';

/** Read API over anomalies and incidents (issues 4 and 5 produce them). */
export function analysisRoutes({ store, metrics }: QueryRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/anomalies',
      {
        schema: {
          querystring: z.object({
            ...WindowParams,
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            detector: z.string().min(1).optional(),
            open: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
            limit: Limit(1000, 100),
          }),
        },
      },
      async (req) => {
        const { from, to, open, ...rest } = req.query;
        const anomalies = await metrics.timeQuery('list_anomalies', () =>
          store.listAnomalies({ ...rest, openOnly: open, fromMs: from, toMs: to }),
        );
        return { anomalies };
      },
    );

    app.get(
      '/incidents',
      {
        schema: {
          querystring: z.object({
            ...WindowParams,
            status: z.enum(['open', 'resolved']).optional(),
            cluster: z.string().min(1).optional(),
            limit: Limit(1000, 100),
          }),
        },
      },
      async (req) => {
        const { from, to, ...rest } = req.query;
        const incidents = await metrics.timeQuery('list_incidents', () =>
          store.listIncidents({ ...rest, fromMs: from, toMs: to }),
        );
        return { incidents };
      },
    );

    app.get(
      '/incidents/:id',
      { schema: { params: z.object({ id: z.string().min(1).max(64) }) } },
      async (req) => {
        const incident = await metrics.timeQuery('get_incident', () => store.getIncident(req.params.id));
        if (!incident) throw new NotFoundError(`incident ${req.params.id} does not exist`);
        return incident;
      },
    );
  };
}
