import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { MetricType, type MetricPoint, type SignalSource } from '@sleuth/core';
import type { SeriesInfo } from '../store';
import { decodeRecord } from './codec';

interface SeriesEntry {
  id: number;
  firstMs: number;
  lastMs: number;
}

/** A metric_series row. */
export interface SeriesRow {
  id: number;
  name: string;
  labels: string;
  type: string;
  unit: string | null;
  cluster: string;
  namespace: string | null;
  workload_kind: string | null;
  workload: string | null;
  pod: string | null;
  container: string | null;
  node: string | null;
  service: string | null;
  first_ms: number;
  last_ms: number;
}

/** Labels as canonical JSON: keys sorted, so equal label sets give equal text. */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = labels[k] ?? '';
  return JSON.stringify(sorted);
}

/**
 * Writes metric points. A series (name + labels) is a row of `metric_series`, cached in memory
 * by its canonical text so the hot path is a map lookup; points live in a WITHOUT ROWID table
 * keyed (series_id, time_ms), so a second point at the same time replaces the value. Must run
 * inside the caller's transaction; after a rollback call `load()`.
 */
export class MetricTable {
  private series = new Map<string, SeriesEntry>();
  private readonly insertSeries: Statement<unknown[]>;
  private readonly insertPoint: Statement<[number, number, number | null]>;
  private readonly replacePoint: Statement<[number | null, number, number]>;
  private readonly extendSeries: Statement<[number, number, number]>;

  constructor(private readonly db: Database) {
    this.insertSeries = db.prepare(
      `INSERT INTO metric_series (key_hash, name, labels, type, unit, cluster, namespace, workload_kind, workload,
         pod, container, node, service, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertPoint = db.prepare(
      'INSERT OR IGNORE INTO metric_points (series_id, time_ms, value) VALUES (?, ?, ?)',
    );
    this.replacePoint = db.prepare('UPDATE metric_points SET value = ? WHERE series_id = ? AND time_ms = ?');
    this.extendSeries = db.prepare(
      'UPDATE metric_series SET first_ms = min(first_ms, ?), last_ms = max(last_ms, ?) WHERE id = ?',
    );
  }

  /** (Re)reads the series dictionary. */
  load(): void {
    this.series = new Map();
    const rows = this.db.prepare<
      [],
      { id: number; name: string; labels: string; first_ms: number; last_ms: number }
    >('SELECT id, name, labels, first_ms, last_ms FROM metric_series');
    for (const r of rows.iterate()) {
      this.series.set(`${r.name}\u0000${r.labels}`, { id: r.id, firstMs: r.first_ms, lastMs: r.last_ms });
    }
  }

  /** Forgets a series deleted by retention. */
  forget(name: string, labels: string): void {
    this.series.delete(`${name}\u0000${labels}`);
  }

  /** Writes points; returns [points written, points that were new]. */
  write(points: readonly MetricPoint[]): [number, number] {
    const touched = new Map<SeriesEntry, [number, number]>();
    let added = 0;
    for (const p of points) {
      const entry = this.resolve(p);
      const value = Number.isNaN(p.value) ? null : p.value;
      if (this.insertPoint.run(entry.id, p.timeMs, value).changes === 1) added++;
      else this.replacePoint.run(value, entry.id, p.timeMs);
      const span = touched.get(entry);
      if (span) {
        if (p.timeMs < span[0]) span[0] = p.timeMs;
        if (p.timeMs > span[1]) span[1] = p.timeMs;
      } else touched.set(entry, [p.timeMs, p.timeMs]);
    }
    for (const [entry, [first, last]] of touched) {
      if (first >= entry.firstMs && last <= entry.lastMs) continue;
      this.extendSeries.run(first, last, entry.id);
      entry.firstMs = Math.min(entry.firstMs, first);
      entry.lastMs = Math.max(entry.lastMs, last);
    }
    return [points.length, added];
  }

  private resolve(p: MetricPoint): SeriesEntry {
    const labels = canonicalLabels(p.labels);
    const key = `${p.name}\u0000${labels}`;
    const cached = this.series.get(key);
    if (cached) return cached;
    const hash = createHash('sha1').update(key).digest('hex');
    const existing = this.db
      .prepare<[string], SeriesEntry>(
        'SELECT id, first_ms AS firstMs, last_ms AS lastMs FROM metric_series WHERE key_hash = ?',
      )
      .get(hash);
    if (existing) {
      this.series.set(key, existing);
      return existing;
    }
    const s = p.source;
    const info = this.insertSeries.run(
      hash,
      p.name,
      labels,
      p.type,
      p.unit ?? null,
      s.cluster,
      s.namespace ?? null,
      s.workloadKind ?? null,
      s.workload ?? null,
      s.pod ?? null,
      s.container ?? null,
      s.node ?? null,
      s.service ?? null,
      p.timeMs,
      p.timeMs,
    );
    const entry = { id: Number(info.lastInsertRowid), firstMs: p.timeMs, lastMs: p.timeMs };
    this.series.set(key, entry);
    return entry;
  }
}

/** A metric_series row as the SeriesInfo the API returns. */
export function seriesFromRow(r: SeriesRow): SeriesInfo {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(decodeRecord(r.labels, 'series labels'))) labels[k] = String(v);
  const source: SignalSource = { cluster: r.cluster };
  if (r.namespace !== null) source.namespace = r.namespace;
  if (r.workload_kind !== null) source.workloadKind = r.workload_kind;
  if (r.workload !== null) source.workload = r.workload;
  if (r.pod !== null) source.pod = r.pod;
  if (r.container !== null) source.container = r.container;
  if (r.node !== null) source.node = r.node;
  if (r.service !== null) source.service = r.service;
  const info: SeriesInfo = {
    id: String(r.id),
    name: r.name,
    labels,
    type: MetricType.catch('gauge').parse(r.type),
    source,
    firstMs: r.first_ms,
    lastMs: r.last_ms,
  };
  if (r.unit !== null) info.unit = r.unit;
  return info;
}
