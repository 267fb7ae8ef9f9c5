import { getJson, type RequestOptions } from './http';
import type { AGGREGATIONS, RangeResult, SeriesInfo, SeriesResult } from '@sleuth/store';

/** The store's answer shapes (types only: erased at build). */
export type { SeriesInfo };
/** A series with its `[timeMs, value]` points in time order. */
export type SeriesPoints = SeriesResult;

export type Aggregation = (typeof AGGREGATIONS)[number];

/** What `GET /api/v1/series` filters on. `name` may end in `*` (a prefix). */
export interface SeriesListFilters {
  name?: string | undefined;
  labels?: Record<string, string> | undefined;
  cluster?: string | undefined;
  namespace?: string | undefined;
  workload?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit?: number | undefined;
}

/** `label=k=v` matchers, as the API takes them. */
function labelParams(labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
}

export async function listSeries(filters: SeriesListFilters, opts?: RequestOptions): Promise<SeriesInfo[]> {
  const { labels, ...rest } = filters;
  const body = await getJson<{ series: SeriesInfo[] }>(
    '/series',
    { ...rest, label: labelParams(labels) },
    opts,
  );
  return body.series;
}

export interface SeriesRangeQuery {
  name: string;
  labels?: Record<string, string> | undefined;
  from: number;
  to: number;
  /** Bucket width in ms; raw points when not given. */
  stepMs?: number | undefined;
  agg?: Aggregation | undefined;
  limit?: number | undefined;
}

/** Points of every series matching name and labels in [from, to) (`GET /api/v1/series/query`). */
export function querySeries(query: SeriesRangeQuery, opts?: RequestOptions): Promise<RangeResult> {
  const { labels, stepMs, ...rest } = query;
  return getJson('/series/query', { ...rest, step: stepMs, label: labelParams(labels) }, opts);
}
