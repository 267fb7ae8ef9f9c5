import { storeFor } from '../auth/gate';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError, type K8sEvent } from '@sleuth/core';
import { AGGREGATIONS, type Store } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';
import {
  DurationParam,
  IdList,
  LabelMatchers,
  Limit,
  SeverityList,
  SourceParams,
  TimeParam,
  WindowParams,
} from './params';

export interface QueryRouteDeps {
  store: Store;
  metrics: ServerMetrics;
}

/** Read API over stored signals: logs, metric series, traces and spans, and events by id. */
export function signalRoutes({ store, metrics }: QueryRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/logs',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            q: z.string().max(1000).optional(),
            ...WindowParams,
            ...SourceParams,
            container: z.string().min(1).optional(),
            service: z.string().min(1).optional(),
            severity: SeverityList.optional(),
            traceId: z
              .string()
              .regex(/^[0-9a-f]{32}$/, 'traceId must be 32 lowercase hex characters')
              .optional(),
            limit: Limit(1000, 100),
            cursor: z.string().max(64).optional(),
          }),
        },
      },
      async (req) => {
        const { from, to, severity, ...rest } = req.query;
        return metrics.timeQuery('search_logs', () =>
          storeFor(req, store).searchLogs({ ...rest, fromMs: from, toMs: to, severities: severity }),
        );
      },
    );

    app.get(
      '/logs/by-id',
      { config: { scoped: true }, schema: { querystring: z.object({ ids: IdList }) } },
      async (req) => ({
        records: await metrics.timeQuery('get_logs', () => storeFor(req, store).getLogs(req.query.ids)),
      }),
    );

    app.get(
      '/events/by-id',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            ids: IdList,
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            kind: z.string().min(1).optional(),
            name: z.string().min(1).optional(),
          }),
        },
      },
      async (req) => {
        const { ids, ...scope } = req.query;
        return metrics.timeQuery('get_events', () => eventsById(storeFor(req, store), ids, scope));
      },
    );

    app.get(
      '/series',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            name: z.string().min(1).max(255).optional(),
            label: LabelMatchers.optional(),
            ...SourceParams,
            ...WindowParams,
            limit: Limit(10_000, 1000),
          }),
        },
      },
      async (req) => {
        const { from, to, label, ...rest } = req.query;
        const series = await metrics.timeQuery('list_series', () =>
          storeFor(req, store).listSeries({ ...rest, labels: label, fromMs: from, toMs: to }),
        );
        return { series };
      },
    );

    app.get(
      '/series/query',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            name: z.string().min(1).max(255),
            label: LabelMatchers.optional(),
            ...SourceParams,
            from: TimeParam.prefault('now-1h'),
            to: TimeParam.prefault('now'),
            step: DurationParam.optional(),
            agg: z.enum(AGGREGATIONS).default('avg'),
            limit: Limit(1000, 200),
          }),
        },
      },
      async (req) => {
        const { from, to, label, step, ...rest } = req.query;
        if (to <= from) throw new ValidationError('empty window: `to` must be after `from`', { from, to });
        return metrics.timeQuery('query_series', () =>
          storeFor(req, store).querySeries({ ...rest, labels: label, fromMs: from, toMs: to, stepMs: step }),
        );
      },
    );

    app.get(
      '/traces/:traceId',
      {
        config: { scoped: true },
        schema: {
          params: z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'traceId must be 32 hex') }),
        },
      },
      async (req) => {
        const spans = await metrics.timeQuery('get_trace', () =>
          storeFor(req, store).getTrace(req.params.traceId),
        );
        if (spans.length === 0) throw new NotFoundError(`trace ${req.params.traceId} is not stored`);
        return { traceId: req.params.traceId, spans };
      },
    );

    app.get(
      '/spans',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            ...WindowParams,
            ...SourceParams,
            service: z.string().min(1).optional(),
            name: z.string().min(1).optional(),
            status: z.enum(['unset', 'ok', 'error']).optional(),
            minDurationMs: z.coerce.number().nonnegative().optional(),
            limit: Limit(1000, 100),
          }),
        },
      },
      async (req) => {
        const { from, to, ...rest } = req.query;
        const spans = await metrics.timeQuery('search_spans', () =>
          storeFor(req, store).searchSpans({ ...rest, fromMs: from, toMs: to }),
        );
        return { spans };
      },
    );
  };
}

/** Events looked through per scope: the store lists events by involved object and time, not by id. */
const EVENTS_PER_SCOPE = 1000;

interface EventScope {
  cluster?: string | undefined;
  namespace?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
}

/**
 * The stored events among `ids`, in the order asked, and the ids not found (`missing`: removed by
 * retention, or not within the scope). An id is the store's `id` or the event's Kubernetes `uid`
 * (detectors cite events before they are stored, by uid). The store indexes events by involved object and time, so
 * they are looked for in the scope the caller knows (an evidence's resource, a timeline entry's
 * object), widening to its namespace, then its cluster: each step reads the newest 1000 events.
 */
async function eventsById(
  store: Store,
  asked: readonly string[],
  scope: EventScope,
): Promise<{ events: K8sEvent[]; missing: string[] }> {
  const ids = [...new Set(asked)];
  const wanted = new Set(ids);
  const found = new Map<string, K8sEvent>();
  const { cluster, namespace, kind, name } = scope;
  const scopes: EventScope[] = [
    { cluster, namespace, kind, name },
    { cluster, namespace },
    { cluster },
  ].filter((s, i, all) => i === 0 || JSON.stringify(s) !== JSON.stringify(all[i - 1]));
  for (const s of scopes) {
    const defined = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
    for (const e of await store.listEvents({ ...defined, limit: EVENTS_PER_SCOPE })) {
      if (e.id !== undefined && wanted.has(e.id)) found.set(e.id, e);
      if (e.uid !== undefined && wanted.has(e.uid)) found.set(e.uid, e);
    }
    if (found.size === wanted.size) break;
  }
  return {
    events: ids.flatMap((id) => {
      const e = found.get(id);
      return e ? [e] : [];
    }),
    missing: ids.filter((id) => !found.has(id)),
  };
}
