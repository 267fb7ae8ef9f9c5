import { z } from 'zod';
import { Aggregation, type SeriesInfo } from '@sleuth/store';
import { guard, iso, limitParam, resolveWindow, round, scopeParams, widenNote, windowParams } from './common';
import { assertKnown, resolveScope, scopeEcho, sourceScope, type Scope } from './resource-scope';
import { defineTool, noData, ok } from './tool';

/** Points per series at most, and over all series of one answer. */
const MAX_POINTS = 60;
const POINT_BUDGET = 300;
const MAX_NAMES = 100;

const params = z.object({
  name: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Metric name, exact or a prefix ending in * (e.g. container_memory*); omit to list the metrics there are',
    ),
  ...scopeParams,
  labels: z
    .record(z.string(), z.string())
    .optional()
    .describe('Label values every series must have, e.g. {"code":"503"}'),
  ...windowParams,
  stepSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .optional()
    .describe('Bucket width in seconds; default (and minimum) gives at most 60 points per series'),
  agg: Aggregation.optional().describe(
    'How points in a bucket combine: avg, min, max, sum, last, count, or rate (per second, for counters). Default: rate for counters, else avg',
  ),
  limit: limitParam(5, 20, 'series'),
});

export const querySeries = defineTool({
  name: 'query_series',
  description:
    'Read metric series (CPU, memory, request rates, latencies) for an object or namespace over a window, ' +
    'summarised with up to 60 points each; without a name, list the metric names available there.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const w = resolveWindow(p, ctx.nowMs);
        const scope = await resolveScope(ctx, p);
        const filter = seriesFilter(scope, p.labels);
        const echo = {
          ...scopeEcho(scope),
          ...(p.labels ? { labels: p.labels } : {}),
          from: iso(w.fromMs),
          to: iso(w.toMs),
        };
        query = { ...(p.name ? { name: p.name } : {}), ...echo };
        const listed = await ctx.store.listSeries({
          ...filter,
          ...(p.name ? { name: p.name } : {}),
          fromMs: w.fromMs,
          toMs: w.toMs,
          limit: p.name ? p.limit + 1 : 2000,
        });
        if (listed.length === 0) {
          await assertKnown(ctx, scope);
          const others = p.name
            ? await ctx.store.listSeries({ ...filter, fromMs: w.fromMs, toMs: w.toMs, limit: 2000 })
            : [];
          const names = [...new Set(others.map((s) => s.name))].slice(0, 20);
          return noData(
            query,
            widenNote(`No series${p.name ? ` named ${p.name}` : ''} with points here`, w, [
              'raise sinceMinutes',
              ...(p.labels ? ['drop labels'] : []),
              ...(names.length > 0 ? [`metrics that do exist here: ${names.join(', ')}`] : []),
              ...(scope.target ? ['ask about the namespace instead of one object'] : []),
            ]),
          );
        }
        if (!p.name) return ok({ metrics: metricNames(listed) }, query);

        const counters = listed.every((s) => s.type === 'counter');
        const agg = p.agg ?? (counters ? 'rate' : 'avg');
        const span = w.toMs - w.fromMs;
        const perSeries = Math.max(
          10,
          Math.min(MAX_POINTS, Math.floor(POINT_BUDGET / Math.min(listed.length, p.limit))),
        );
        const minStepMs = Math.max(1000, Math.ceil(span / perSeries / 1000) * 1000);
        const stepMs = Math.max(minStepMs, (p.stepSeconds ?? 0) * 1000);
        query = { name: p.name, ...echo, stepSeconds: stepMs / 1000, agg, limit: p.limit };
        const result = await ctx.store.querySeries({
          ...filter,
          name: p.name,
          fromMs: w.fromMs,
          toMs: w.toMs,
          stepMs,
          agg,
          limit: p.limit,
        });
        const series = result.series.map(({ series: s, points }) => {
          const values = points.map(([, v]) => v).filter((v) => Number.isFinite(v));
          const first = values[0];
          const last = values[values.length - 1];
          const summary =
            first === undefined || last === undefined
              ? undefined
              : {
                  first: round(first),
                  last: round(last),
                  min: round(Math.min(...values)),
                  max: round(Math.max(...values)),
                  mean: round(values.reduce((a, b) => a + b, 0) / values.length),
                };
          const labels = Object.entries(s.labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(',');
          const evidenceId = ctx.evidence.add(
            { kind: 'series', name: s.name, labels: s.labels, fromMs: w.fromMs, toMs: w.toMs },
            `${s.name}{${labels}} ${agg} ${iso(w.fromMs)}…${iso(w.toMs)}` +
              (summary
                ? `: min ${summary.min}, max ${summary.max}, last ${summary.last}${s.unit ? ` ${s.unit}` : ''}`
                : ''),
          );
          return {
            evidenceId,
            name: s.name,
            labels: s.labels,
            type: s.type,
            ...(s.unit ? { unit: s.unit } : {}),
            ...(summary ? { summary } : {}),
            points: points.slice(0, MAX_POINTS).map(([t, v]) => [iso(t), round(v)]),
          };
        });
        const notes = [
          ...(p.stepSeconds !== undefined && stepMs > p.stepSeconds * 1000
            ? [`stepSeconds raised to ${stepMs / 1000} to keep at most ${perSeries} points per series`]
            : []),
          ...(result.truncated ? [`more than ${p.limit} series matched: add labels or raise limit`] : []),
          ...(!counters && listed.some((s) => s.type === 'counter') && p.agg === undefined
            ? ['counters and gauges matched: values are averages; use agg=rate for the counters']
            : []),
        ];
        return ok({ series }, query, notes.length > 0 ? notes.join('; ') : undefined);
      },
    );
  },
});

/** The store filter of a scope: Service and Node become `service` / `node` label matchers. */
function seriesFilter(scope: Scope, labels: Record<string, string> | undefined) {
  const { service, node, ...source } = sourceScope(scope);
  const all = { ...labels, ...(service ? { service } : {}), ...(node ? { node } : {}) };
  return { ...source, ...(Object.keys(all).length > 0 ? { labels: all } : {}) };
}

/** Metric names with their type, unit and number of series, by name. */
function metricNames(series: SeriesInfo[]) {
  const byName = new Map<string, { name: string; type: string; unit?: string; series: number }>();
  for (const s of series) {
    const entry = byName.get(s.name);
    if (entry) entry.series++;
    else byName.set(s.name, { name: s.name, type: s.type, ...(s.unit ? { unit: s.unit } : {}), series: 1 });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_NAMES);
}
