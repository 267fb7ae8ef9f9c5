import { storeFor } from '../auth/gate';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IncidentSeverity, NotFoundError } from '@sleuth/core';
import type { StoreContextOptions, TopologySource } from '@sleuth/analyze';
import { incidentDetail } from '../incident-detail';
import { diagnoseResource } from '../resource-diagnosis';
import { parseResourceArg } from '../resource-arg';
import type { QueryRouteDeps } from './signals';
import { Limit, WindowParams } from './params';
import type { ScopeViews } from '../auth/scope-views';

/** `resource=NAMESPACE/KIND/NAME` or `KIND/NAME` (kubectl short kinds work: `shop/deploy/cart`). */
const ResourceParam = z.string().transform((text, ctx) => {
  const r = parseResourceArg(text);
  if ('error' in r) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r;
});

const CursorBody = z.tuple([z.number().finite(), z.string().min(1).max(64)]);

function encodeCursor(updatedMs: number, id: string): string {
  return Buffer.from(JSON.stringify([updatedMs, id])).toString('base64url');
}

/** The `next` of a previous answer: where the listing stopped (updatedMs and id of its last incident). */
const CursorParam = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const body = CursorBody.safeParse(parsed);
    if (!body.success) {
      ctx.addIssue({
        code: 'custom',
        message: 'not a cursor this API gave out: pass the `next` of a previous answer',
      });
      return z.NEVER;
    }
    return { updatedMs: body.data[0], id: body.data[1] };
  });

/**
 * Read API over anomalies and incidents: lists with filters and paging, and an incident's detail
 * (timeline, anomaly records, ranked root causes, recommendations).
 */
export function analysisRoutes({
  store,
  metrics,
  topology,
  analysis,
  views,
}: QueryRouteDeps & { topology: TopologySource; analysis?: StoreContextOptions; views: ScopeViews }) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/anomalies',
      {
        config: { scoped: true },
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
          storeFor(req, store).listAnomalies({ ...rest, openOnly: open, fromMs: from, toMs: to }),
        );
        return { anomalies };
      },
    );

    app.get(
      '/incidents',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            ...WindowParams,
            status: z.enum(['open', 'resolved']).optional(),
            severity: IncidentSeverity.optional(),
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            resource: ResourceParam.optional(),
            limit: Limit(1000, 100),
            cursor: CursorParam.optional(),
          }),
        },
      },
      async (req) => {
        const { from, to, cursor, limit, ...rest } = req.query;
        const page = await metrics.timeQuery('list_incidents', () =>
          storeFor(req, store).listIncidents({
            ...rest,
            fromMs: from,
            toMs: to,
            limit: limit + 1,
            ...(cursor ? { before: cursor } : {}),
          }),
        );
        const incidents = page.slice(0, limit);
        const last = incidents.at(-1);
        return {
          incidents,
          ...(page.length > limit && last ? { next: encodeCursor(last.updatedMs, last.id) } : {}),
        };
      },
    );

    app.get(
      '/diagnosis',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({ resource: ResourceParam, cluster: z.string().min(1).optional() }),
        },
      },
      async (req) => {
        const { resource, cluster } = req.query;
        // A scoped principal's diagnosis reads only its scope, without Prometheus (PromQL cannot be
        // held to a scope): a resource beyond it is not found.
        const view = views.of(req.principal);
        const sources = view
          ? { store: view.store, topology: view.topology }
          : { store, topology, ...(analysis ? { analysis } : {}) };
        const result = await metrics.timeQuery('diagnose_resource', () =>
          diagnoseResource(sources, resource, cluster),
        );
        if ('notFound' in result) {
          throw new NotFoundError(result.notFound, {
            closeMatches: result.closeMatches.map((r) => ({ ...r })),
          });
        }
        return result;
      },
    );

    app.get(
      '/incidents/:id',
      { config: { scoped: true }, schema: { params: z.object({ id: z.string().min(1).max(64) }) } },
      async (req) => {
        const incident = await metrics.timeQuery('get_incident', () =>
          (views.of(req.principal)?.store ?? store).getIncident(req.params.id),
        );
        if (!incident) throw new NotFoundError(`incident ${req.params.id} does not exist`);
        const view = views.of(req.principal);
        return metrics.timeQuery('incident_detail', () =>
          incidentDetail(incident, view ?? { store, topology }),
        );
      },
    );
  };
}
