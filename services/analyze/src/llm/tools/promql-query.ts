import { z } from 'zod';
import { ValidationError } from '@sleuth/core';
import { isPrometheusFailure } from '../../prometheus/errors';
import { thinPoints } from '../../prometheus/result';
import type { PromQueryResult, PromSeries } from '../../prometheus/source';
import { clip, guard, iso, limitParam, resolveWindow, round, windowParams } from './common';
import { defineTool, noData, ok, toolError } from './tool';

/** The longest PromQL expression the tool sends. */
export const MAX_PROMQL_CHARS = 1000;
/** The longest window one call reads: 24 h. */
const MAX_RANGE_MINUTES = 24 * 60;
/** Points per series at most, and over all series of one answer (as query_series). */
const MAX_POINTS = 60;
const POINT_BUDGET = 300;

const params = z.object({
  query: z
    .string()
    .min(1)
    .max(MAX_PROMQL_CHARS)
    .describe(
      `PromQL expression (at most ${MAX_PROMQL_CHARS} characters), e.g. ` +
        'container_memory_working_set_bytes{namespace="shop",pod=~"cart-.*"} or ' +
        'sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{namespace="shop"}[5m]))',
    ),
  instant: z
    .boolean()
    .default(false)
    .describe(
      'true: evaluate once at the window end (current limits, counts); default false: series over the window',
    ),
  sinceMinutes: z
    .number()
    .int()
    .min(1)
    .max(MAX_RANGE_MINUTES)
    .default(60)
    .describe('Look back this many minutes from now (default 60, max 1440 = 24 h); ignored if from is set'),
  from: windowParams.from,
  to: windowParams.to,
  stepSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe('Resolution in seconds; default (and minimum) gives at most 60 points per series'),
  limit: limitParam(5, 20, 'series'),
});

export const promqlQuery = defineTool({
  name: 'promql_query',
  description:
    "Run a read-only PromQL query against the cluster's Prometheus (metrics Sleuth's store may not hold: " +
    'cAdvisor, kube-state-metrics, application metrics), over a window of at most 24 h or at one instant; ' +
    'answers labelled series with up to 60 points each and a summary.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = { query: p.query, instant: p.instant };
    return guard(
      () => query,
      async () => {
        const w = resolveWindow(p, ctx.nowMs);
        if (w.toMs - w.fromMs > MAX_RANGE_MINUTES * 60_000)
          throw new ValidationError('the window is longer than 24 hours: narrow from/to');
        const span = w.toMs - w.fromMs;
        const minStepMs = Math.max(1000, Math.ceil(span / MAX_POINTS / 1000) * 1000);
        const stepMs = Math.max(minStepMs, (p.stepSeconds ?? 0) * 1000);
        query = p.instant
          ? { query: p.query, instant: true, at: iso(w.toMs), limit: p.limit }
          : {
              query: p.query,
              from: iso(w.fromMs),
              to: iso(w.toMs),
              stepSeconds: stepMs / 1000,
              limit: p.limit,
            };
        const prometheus = ctx.prometheus;
        if (!prometheus) return toolError(query, 'no Prometheus is configured (prometheus.url)');
        let result: PromQueryResult;
        try {
          result = p.instant
            ? await prometheus.query(p.query, { timeMs: w.toMs })
            : await prometheus.queryRange(p.query, { startMs: w.fromMs, endMs: w.toMs, stepMs });
        } catch (err) {
          if (!isPrometheusFailure(err)) throw err;
          return toolError(query, err.message);
        }
        const cluster = prometheus.cluster ? { cluster: prometheus.cluster } : {};
        if (result.text !== undefined)
          return ok({ ...cluster, resultType: 'string', text: result.text }, query);
        const found = result.series.filter((s) => s.points.length > 0);
        if (found.length === 0)
          return noData(
            query,
            `Prometheus returned no series with samples ${p.instant ? `at ${iso(w.toMs)}` : `between ${iso(w.fromMs)} and ${iso(w.toMs)}`}. ` +
              'Check metric and label names (count by (__name__) ({namespace="NS"}) lists the metrics of a namespace) or widen the window.',
          );
        const shown = found.slice(0, p.limit);
        const perSeries = Math.max(10, Math.min(MAX_POINTS, Math.floor(POINT_BUDGET / shown.length)));
        const series = shown.map((s) => {
          const name = s.labels['__name__'] ?? clip(p.query, 200);
          const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__'));
          const summary = summarise(s);
          const first = s.points[0]?.[0] ?? w.toMs;
          const fromMs = p.instant ? Math.min(first, w.toMs) : w.fromMs;
          const labelText = Object.entries(labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(',');
          const evidenceId = ctx.evidence.add(
            { kind: 'series', name, labels, fromMs, toMs: w.toMs },
            `Prometheus, PromQL ${clip(p.query, 300)}: ${s.labels['__name__'] ?? ''}{${labelText}} ` +
              `${iso(fromMs)}…${iso(w.toMs)}${summary ? `: min ${summary.min}, max ${summary.max}, last ${summary.last}` : ''}`,
          );
          return {
            evidenceId,
            ...(s.labels['__name__'] ? { name } : {}),
            labels,
            ...(summary ? { summary } : {}),
            points: thinPoints(s.points, perSeries).map(([t, v]) => [iso(t), shownValue(v)]),
          };
        });
        const notes = [
          ...(p.stepSeconds !== undefined && stepMs > p.stepSeconds * 1000
            ? [`stepSeconds raised to ${stepMs / 1000} to keep at most ${MAX_POINTS} points per series`]
            : []),
          ...(found.length > p.limit
            ? [
                `${found.length}${result.truncated ? '+' : ''} series matched, ${p.limit} shown: aggregate (sum by, topk) or add label matchers`,
              ]
            : []),
          ...(shown.some((s) => s.points.length > perSeries)
            ? [`points thinned to at most ${perSeries} per series (the summary covers all of them)`]
            : []),
          ...result.notes,
          ...result.warnings.map((x) => `Prometheus warning: ${x}`),
        ];
        return ok(
          { ...cluster, resultType: result.resultType, series },
          query,
          notes.length > 0 ? notes.join('; ') : undefined,
        );
      },
    );
  },
});

/** first/last/min/max/mean of a series' finite values; undefined when it has none. */
function summarise(s: PromSeries) {
  const values = s.points.map(([, v]) => v).filter((v) => Number.isFinite(v));
  const first = values[0];
  const last = values[values.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return {
    first: round(first),
    last: round(last),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

/** A value as JSON can carry it: NaN and ±Inf as Prometheus writes them. */
function shownValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return round(v);
}
