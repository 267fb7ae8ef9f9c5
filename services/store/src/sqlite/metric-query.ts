import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { checkWindow, parseQuery } from '../parse-query';
import { RangeQuery, SeriesListQuery, type AGGREGATIONS } from '../queries';
import type { RangeResult, SeriesInfo } from '../store';
import { seriesFromRow, type SeriesRow } from './metric-table';

interface SeriesFilter {
  name?: string | undefined;
  labels?: Record<string, string> | undefined;
  cluster?: string | undefined;
  namespace?: string | undefined;
  workload?: string | undefined;
  pod?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/** Above every UTF-8 string that starts with a given prefix (SQLite compares text bytewise). */
const AFTER_PREFIX = '\u{10FFFF}';

/** SQL selecting series matching a filter: name exact or `prefix*`, labels, source, window. */
function seriesSql(f: SeriesFilter): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.name !== undefined) {
    if (f.name.endsWith('*')) {
      const prefix = f.name.slice(0, -1);
      where.push('s.name >= ? AND s.name < ?');
      args.push(prefix, prefix + AFTER_PREFIX);
    } else {
      where.push('s.name = ?');
      args.push(f.name);
    }
  }
  for (const col of ['cluster', 'namespace', 'workload', 'pod'] as const) {
    const v = f[col];
    if (v === undefined) continue;
    where.push(`s.${col} = ?`);
    args.push(v);
  }
  for (const [k, v] of Object.entries(f.labels ?? {})) {
    where.push('EXISTS (SELECT 1 FROM json_each(s.labels) j WHERE j.key = ? AND j.value = ?)');
    args.push(k, v);
  }
  if (f.fromMs !== undefined || f.toMs !== undefined) {
    const from = f.fromMs ?? 0;
    const to = f.toMs ?? Number.MAX_VALUE;
    where.push(
      's.last_ms >= ? AND s.first_ms < ?',
      'EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = s.id AND p.time_ms >= ? AND p.time_ms < ?)',
    );
    args.push(from, to, from, to);
  }
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', args };
}

function selectSeries(db: Database, f: SeriesFilter, limit: number): SeriesRow[] {
  const { where, args } = seriesSql(f);
  return db
    .prepare<unknown[], SeriesRow>(
      `SELECT s.* FROM metric_series s ${where} ORDER BY s.name, s.labels LIMIT ?`,
    )
    .all(...args, limit);
}

/** Series matching the filters, by name then labels. */
export function listSeries(db: Database, input: SeriesListQuery): SeriesInfo[] {
  const q = parseQuery(SeriesListQuery, input);
  checkWindow(q);
  return selectSeries(db, q, q.limit).map(seriesFromRow);
}

const SQL_AGGREGATES: Record<Exclude<(typeof AGGREGATIONS)[number], 'rate'>, string> = {
  avg: 'avg(value) AS v',
  min: 'min(value) AS v',
  max: 'max(value) AS v',
  sum: 'sum(value) AS v',
  count: 'count(*) AS v',
  // SQLite takes a bare column from the row that holds the max().
  last: 'value AS v, max(time_ms) AS t',
};

/**
 * Per-second increase of a counter from its raw points. Each pair of consecutive points counts
 * toward the bucket of the later one: its increase (the later value itself when the counter
 * reset, i.e. went down) over the time between them. A bucket's rate is its increase divided by
 * the time its pairs cover. Without a step every pair is its own point.
 */
export function counterRate(
  points: readonly [number, number][],
  from: number,
  step?: number,
): [number, number][] {
  const buckets = new Map<number, [number, number]>();
  const order: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1];
    const cur = points[i];
    if (!prev || !cur || !Number.isFinite(prev[1]) || !Number.isFinite(cur[1])) continue;
    const dt = (cur[0] - prev[0]) / 1000;
    if (dt <= 0) continue;
    const increase = cur[1] >= prev[1] ? cur[1] - prev[1] : cur[1];
    const key = step === undefined ? cur[0] : from + Math.floor((cur[0] - from) / step) * step;
    const acc = buckets.get(key);
    if (acc) {
      acc[0] += increase;
      acc[1] += dt;
    } else {
      buckets.set(key, [increase, dt]);
      order.push(key);
    }
  }
  return order.map((t) => {
    const [inc, secs] = buckets.get(t) ?? [0, 1];
    return [t, inc / secs];
  });
}

/** Points of every series matching the query within [fromMs, toMs), raw or bucketed. */
export function querySeries(db: Database, input: RangeQuery): RangeResult {
  const q: z.output<typeof RangeQuery> = parseQuery(RangeQuery, input);
  checkWindow(q);
  const rows = selectSeries(db, q, q.limit + 1);
  const raw = db.prepare<[number, number, number], { t: number; v: number | null }>(
    'SELECT time_ms AS t, value AS v FROM metric_points WHERE series_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms',
  );
  const rawPoints = (id: number): [number, number][] =>
    raw.all(id, q.fromMs, q.toMs).map((p): [number, number] => [p.t, p.v ?? NaN]);
  const series = rows.slice(0, q.limit).map((row) => {
    const info = seriesFromRow(row);
    if (q.agg === 'rate') return { series: info, points: counterRate(rawPoints(row.id), q.fromMs, q.stepMs) };
    if (q.stepMs === undefined) return { series: info, points: rawPoints(row.id) };
    const bucketed = db
      .prepare<[number, number, number, number, number], { b: number; v: number | null }>(
        `SELECT CAST((time_ms - ?) / ? AS INTEGER) AS b, ${SQL_AGGREGATES[q.agg]} FROM metric_points
         WHERE series_id = ? AND time_ms >= ? AND time_ms < ? GROUP BY b ORDER BY b`,
      )
      .all(q.fromMs, q.stepMs, row.id, q.fromMs, q.toMs);
    const step = q.stepMs;
    const points = bucketed
      .filter((p) => p.v !== null)
      .map((p): [number, number] => [q.fromMs + p.b * step, p.v ?? NaN]);
    return { series: info, points };
  });
  return { series, truncated: rows.length > q.limit };
}
