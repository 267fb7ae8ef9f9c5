import { storeFor } from '../auth/gate';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, type ResourceRef } from '@sleuth/core';
import type { QueryRouteDeps } from './signals';
import { Limit, WindowParams } from './params';

const ObjectPath = z.object({
  cluster: z.string().min(1),
  /** `-` for cluster-scoped objects such as Nodes. */
  namespace: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
});

function refOf(p: z.infer<typeof ObjectPath>): ResourceRef {
  return {
    cluster: p.cluster,
    kind: p.kind,
    name: p.name,
    ...(p.namespace === '-' ? {} : { namespace: p.namespace }),
  };
}

/** Read API over Kubernetes events and object state (latest and history). */
export function kubernetesRoutes({ store, metrics }: QueryRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/events',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            ...WindowParams,
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            kind: z.string().min(1).optional(),
            name: z.string().min(1).optional(),
            reason: z.string().min(1).optional(),
            type: z.enum(['Normal', 'Warning']).optional(),
            limit: Limit(1000, 100),
          }),
        },
      },
      async (req) => {
        const { from, to, ...rest } = req.query;
        return {
          events: await metrics.timeQuery('list_events', () =>
            storeFor(req, store).listEvents({ ...rest, fromMs: from, toMs: to }),
          ),
        };
      },
    );

    app.get(
      '/objects',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            kind: z.string().min(1).optional(),
            name: z.string().min(1).optional(),
            includeDeleted: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
            limit: Limit(5000, 500),
          }),
        },
      },
      async (req) => ({
        objects: await metrics.timeQuery('list_objects', () => storeFor(req, store).listObjects(req.query)),
      }),
    );

    app.get(
      '/objects/:cluster/:namespace/:kind/:name',
      { config: { scoped: true }, schema: { params: ObjectPath } },
      async (req) => {
        const ref = refOf(req.params);
        const snap = await metrics.timeQuery('get_object', () => storeFor(req, store).getObject(ref));
        if (!snap)
          throw new NotFoundError(
            `no ${ref.kind} ${ref.name} in ${ref.namespace ?? 'cluster scope'} of ${ref.cluster}`,
          );
        return snap;
      },
    );

    app.get(
      '/objects/:cluster/:namespace/:kind/:name/history',
      {
        config: { scoped: true },
        schema: { params: ObjectPath, querystring: z.object({ ...WindowParams, limit: Limit(1000, 100) }) },
      },
      async (req) => {
        const { from, to, limit } = req.query;
        const snapshots = await metrics.timeQuery('object_history', () =>
          storeFor(req, store).objectHistory(refOf(req.params), { fromMs: from, toMs: to, limit }),
        );
        return { snapshots };
      },
    );
  };
}
