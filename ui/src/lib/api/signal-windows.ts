import { getJson, type RequestOptions } from './http';
import type { LogPage } from '@sleuth/store';
import type { RangeResult, Trace } from './detail-types';

/** Where signals came from, as the query API filters them. */
export interface SourceFilter {
  cluster?: string | undefined;
  namespace?: string | undefined;
  workload?: string | undefined;
  pod?: string | undefined;
}

export interface SeriesWindowQuery extends SourceFilter {
  name: string;
  /** Label equality matchers. */
  labels?: Record<string, string>;
  fromMs: number;
  toMs: number;
  /** Bucket width in ms; points in a bucket combine with `agg`. Omitted: raw points. */
  stepMs?: number;
  agg?: 'avg' | 'min' | 'max' | 'sum' | 'last' | 'count' | 'rate';
  limit?: number;
}

/** `GET /series/query`: the points of every series matching the name, labels and source in a window. */
export function querySeriesWindow(q: SeriesWindowQuery, opts?: RequestOptions): Promise<RangeResult> {
  return getJson<RangeResult>(
    '/series/query',
    {
      name: q.name,
      label: Object.entries(q.labels ?? {}).map(([k, v]) => `${k}=${v}`),
      cluster: q.cluster,
      namespace: q.namespace,
      workload: q.workload,
      pod: q.pod,
      from: q.fromMs,
      to: q.toMs,
      step: q.stepMs,
      agg: q.agg,
      limit: q.limit,
    },
    opts,
  );
}

/**
 * The times of the log lines of one source (of these severities, when given) in a window, newest first, read page by page up to
 * `maxLines`; `complete` is false when there were more (the oldest are then missing).
 */
export async function logTimes(
  source: SourceFilter & { severities?: readonly string[] | undefined },
  window: { fromMs: number; toMs: number },
  maxLines: number,
  opts?: RequestOptions,
): Promise<{ times: number[]; complete: boolean }> {
  const { severities, ...where } = source;
  const times: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await getJson<LogPage>(
      '/logs',
      {
        ...where,
        severity: severities?.join(','),
        from: window.fromMs,
        to: window.toMs,
        limit: Math.min(1000, maxLines - times.length),
        cursor,
      },
      opts,
    );
    for (const r of page.records) times.push(r.timeMs);
    cursor = page.nextCursor;
  } while (cursor && times.length < maxLines);
  return { times, complete: cursor === undefined };
}

/** `GET /traces/{traceId}`: every span of a trace; an ApiError 404 when none is stored. */
export function getTrace(traceId: string, opts?: RequestOptions): Promise<Trace> {
  return getJson<Trace>(`/traces/${encodeURIComponent(traceId)}`, {}, opts);
}
