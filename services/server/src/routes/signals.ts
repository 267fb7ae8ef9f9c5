import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@sleuth/core';
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

/** Read API over stored signals: logs, metric series, traces and spans. */
export function signalRoutes({ store, metrics }: QueryRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/logs',
      {
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
          store.searchLogs({ ...rest, fromMs: from, toMs: to, severities: severity }),
        );
      },
    );

    app.get('/logs/by-id', { schema: { querystring: z.object({ ids: IdList }) } }, async (req) => ({
      records: await metrics.timeQuery('get_logs', () => store.getLogs(req.query.ids)),
    }));

    app.get(
      '/series',
      {
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
          store.listSeries({ ...rest, labels: label, fromMs: from, toMs: to }),
        );
        return { series };
      },
    );

    app.get(
      '/series/query',
      {
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
          store.querySeries({ ...rest, labels: label, fromMs: from, toMs: to, stepMs: step }),
        );
      },
    );

    app.get(
      '/traces/:traceId',
      {
        schema: {
          params: z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'traceId must be 32 hex') }),
        },
      },
      async (req) => {
        const spans = await metrics.timeQuery('get_trace', () => store.getTrace(req.params.traceId));
        if (spans.length === 0) throw new NotFoundError(`trace ${req.params.traceId} is not stored`);
        return { traceId: req.params.traceId, spans };
      },
    );

    app.get(
      '/spans',
      {
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
          store.searchSpans({ ...rest, fromMs: from, toMs: to }),
        );
        return { spans };
      },
    );
  };
}
