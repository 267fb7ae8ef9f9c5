import type { Database } from 'better-sqlite3';
import { StoreError } from '@sleuth/core';
import type { RetentionPolicy, RetentionReport, WriteResult } from '../store';
import type { MetricTable } from './metric-table';
import { firstRowidOf } from './time-rowid';

/** Rows deleted per transaction; between transactions writes get their turn. */
const CHUNK = 10_000;
/** Pages returned to the file system per incremental_vacuum step. */
const VACUUM_PAGES = 2_000;
/** Size-based retention deletes the oldest tenth of the stored time span per round. */
const SIZE_SLICES = 10;
const MIN_SLICE_MS = 60_000;
const MAX_ROUNDS = 200;

/** Bytes in use: pages that are not on the free list. */
export function usedBytes(db: Database): number {
  const pages = Number(db.pragma('page_count', { simple: true }));
  const free = Number(db.pragma('freelist_count', { simple: true }));
  const size = Number(db.pragma('page_size', { simple: true }));
  return (pages - free) * size;
}

function zero(): WriteResult {
  return { logs: 0, metrics: 0, spans: 0, events: 0, objects: 0 };
}

/**
 * Deletes old signals from a SQLite store in bounded transactions (CHUNK rows each), yielding to
 * the event loop between them so ingest is never blocked for long. Anomalies, incidents,
 * conversations with their messages, investigations, alerts, notification deliveries and the
 * latest state of live objects are kept: no statement here touches their tables.
 */
export class RetentionSweep {
  /**
   * @param shouldStop checked between transactions; when it returns true the sweep stops with a
   *   retryable StoreError (the store is closing).
   */
  constructor(
    private readonly db: Database,
    private readonly metrics: MetricTable,
    private readonly shouldStop: () => boolean,
  ) {}

  private async yieldToWrites(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.shouldStop())
      throw new StoreError('retention stopped: the store is closing', { retryable: true });
  }

  /** By age, then by size (oldest first), then gives freed pages back to the file system. */
  async enforce(policy: RetentionPolicy): Promise<RetentionReport> {
    const bytesBefore = usedBytes(this.db);
    const deleted = zero();
    await this.deleteOlderThan(policy.nowMs - policy.maxAgeMs, deleted, true);
    for (let round = 0; round < MAX_ROUNDS && usedBytes(this.db) > policy.maxBytes; round++) {
      const span = this.signalSpan();
      if (!span) break;
      const slice = Math.max(MIN_SLICE_MS, (span.newest - span.oldest) / SIZE_SLICES);
      await this.deleteOlderThan(Math.min(span.oldest + slice, span.newest + 1), deleted, false);
    }
    await this.vacuum();
    return { deleted, bytesBefore, bytesAfter: usedBytes(this.db) };
  }

  /** Oldest and newest signal times over every table retention deletes from. */
  private signalSpan(): { oldest: number; newest: number } | undefined {
    const row = this.db
      .prepare<[], { lo: number | null; hi: number | null }>(
        `SELECT min(lo) AS lo, max(hi) AS hi FROM (
           SELECT min(id) >> 20 AS lo, max(id) >> 20 AS hi FROM logs
           UNION ALL SELECT min(id) >> 20, max(id) >> 20 FROM spans
           UNION ALL SELECT min(first_ms), max(last_ms) FROM metric_series
           UNION ALL SELECT min(last_ms), max(last_ms) FROM events
           UNION ALL SELECT min(time_ms), max(time_ms) FROM object_history)`,
      )
      .get();
    return row?.lo == null || row.hi == null ? undefined : { oldest: row.lo, newest: row.hi };
  }

  private async deleteOlderThan(cutoffMs: number, deleted: WriteResult, tombstones: boolean): Promise<void> {
    const below = firstRowidOf(Math.max(0, Math.floor(cutoffMs)));
    deleted.logs += await this.deleteRowidRange('logs', below, true);
    deleted.spans += await this.deleteRowidRange('spans', below, false);
    deleted.metrics += await this.deletePoints(cutoffMs);
    deleted.events += await this.deleteWhere('events', 'last_ms < ?', cutoffMs);
    deleted.objects += await this.deleteWhere('object_history', 'time_ms < ?', cutoffMs);
    if (tombstones) {
      deleted.objects += this.db
        .prepare('DELETE FROM objects WHERE deleted = 1 AND time_ms < ?')
        .run(cutoffMs).changes;
    }
  }

  /** Deletes rows of a time-rowid table below `below`, oldest first, with their FTS rows. */
  private async deleteRowidRange(table: 'logs' | 'spans', below: bigint, fts: boolean): Promise<number> {
    const select = this.db
      .prepare<[bigint, number], bigint>(`SELECT id FROM ${table} WHERE id < ? ORDER BY id LIMIT ?`)
      .pluck()
      .safeIntegers(true);
    const deleteFts = this.db.prepare<[bigint]>('DELETE FROM logs_fts WHERE rowid = ?');
    const deleteRows = this.db.prepare<[bigint]>(`DELETE FROM ${table} WHERE id <= ?`);
    const count = this.db.prepare<[number, string]>(
      'UPDATE signal_counts SET n = max(0, n - ?) WHERE kind = ?',
    );
    let total = 0;
    for (;;) {
      const n = this.db.transaction(() => {
        const ids = select.all(below, CHUNK);
        const last = ids.at(-1);
        if (last === undefined) return 0;
        if (fts) for (const id of ids) deleteFts.run(id);
        deleteRows.run(last);
        count.run(ids.length, table);
        return ids.length;
      })();
      total += n;
      if (n < CHUNK) return total;
      await this.yieldToWrites();
    }
  }

  /** Deletes metric points older than the cutoff, series by series; drops series left empty. */
  private async deletePoints(cutoffMs: number): Promise<number> {
    const old = this.db
      .prepare<[number], { id: number; name: string; labels: string }>(
        'SELECT id, name, labels FROM metric_series WHERE first_ms < ?',
      )
      .all(cutoffMs);
    const del = this.db.prepare<[number, number, number]>(
      `DELETE FROM metric_points WHERE (series_id, time_ms) IN (
         SELECT series_id, time_ms FROM metric_points WHERE series_id = ? AND time_ms < ? ORDER BY time_ms LIMIT ?)`,
    );
    const first = this.db
      .prepare<[number], number | null>('SELECT min(time_ms) FROM metric_points WHERE series_id = ?')
      .pluck();
    const setFirst = this.db.prepare<[number, number]>('UPDATE metric_series SET first_ms = ? WHERE id = ?');
    const drop = this.db.prepare<[number]>('DELETE FROM metric_series WHERE id = ?');
    const count = this.db.prepare<[number]>(
      "UPDATE signal_counts SET n = max(0, n - ?) WHERE kind = 'metrics'",
    );
    let total = 0;
    let inChunk = 0;
    for (const s of old) {
      for (;;) {
        const n = this.db.transaction(() => {
          const changes = del.run(s.id, cutoffMs, CHUNK).changes;
          count.run(changes);
          return changes;
        })();
        total += n;
        inChunk += n;
        if (inChunk >= CHUNK) {
          inChunk = 0;
          await this.yieldToWrites();
        }
        if (n < CHUNK) break;
      }
      const remaining = first.get(s.id) ?? null;
      if (remaining === null) {
        drop.run(s.id);
        this.metrics.forget(s.name, s.labels);
      } else setFirst.run(remaining, s.id);
    }
    return total;
  }

  private async deleteWhere(
    table: 'events' | 'object_history',
    condition: string,
    value: number,
  ): Promise<number> {
    const del = this.db.prepare<[number, number]>(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${condition} LIMIT ?)`,
    );
    let total = 0;
    for (;;) {
      const n = del.run(value, CHUNK).changes;
      total += n;
      if (n < CHUNK) return total;
      await this.yieldToWrites();
    }
  }

  /** Returns free pages to the file system in steps (auto_vacuum=INCREMENTAL). */
  private async vacuum(): Promise<void> {
    const free = (): number => Number(this.db.pragma('freelist_count', { simple: true }));
    if (Number(this.db.pragma('auto_vacuum', { simple: true })) !== 2) return;
    for (let before = free(); before > 0;) {
      this.db.exec(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`);
      const after = free();
      if (after >= before) break;
      before = after;
      await this.yieldToWrites();
    }
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }
}
