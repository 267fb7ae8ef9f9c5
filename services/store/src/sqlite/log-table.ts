import type { Database, Statement } from 'better-sqlite3';
import { SEVERITIES, severityRank, StoreError, type LogRecord } from '@sleuth/core';
import { decodeAttributes, encodeAttributes } from './codec';
import type { SourceDictionary } from './source-dictionary';
import { assertEncodable, MAX_ROWID, msOfRowid, RowidAllocator } from './time-rowid';

/** A logs row as read with safe integers (rowids exceed 2^53). */
export interface LogRow {
  id: bigint;
  source_id: bigint;
  severity: bigint;
  time_ms: number | null;
  observed_ms: number | null;
  body: string;
  attributes: string | null;
  trace_id: string | null;
  span_id: string | null;
}

/** Columns of `logs` in LogRow order, for SELECTs that join other tables. */
export const LOG_COLUMNS =
  'l.id, l.source_id, l.severity, l.time_ms, l.observed_ms, l.body, l.attributes, l.trace_id, l.span_id';

/**
 * The FTS facet token of a trace id: hex ids (the OTel form) as themselves, anything else as the
 * hex of its UTF-8 bytes behind an `x`, so the token is always one FTS5 token.
 */
export function traceToken(traceId: string): string {
  const lower = traceId.toLowerCase();
  return /^[0-9a-f]+$/.test(lower) ? `t${lower}` : `tx${Buffer.from(traceId, 'utf8').toString('hex')}`;
}

/**
 * Writes log records: one `logs` row (rowid from the record's time) and one FTS5 row (body plus
 * facet tokens) each. Must run inside the caller's transaction.
 */
export class LogTable {
  private readonly insertRow: Statement<unknown[]>;
  private readonly insertFts: Statement<[bigint, string, string]>;
  private readonly allocator: RowidAllocator;

  constructor(
    db: Database,
    private readonly sources: SourceDictionary,
  ) {
    this.insertRow = db.prepare(
      `INSERT OR IGNORE INTO logs (id, source_id, severity, time_ms, observed_ms, body, attributes, trace_id, span_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFts = db.prepare('INSERT INTO logs_fts (rowid, body, facets) VALUES (?, ?, ?)');
    const maxInMs = db
      .prepare<[bigint, bigint], bigint | null>('SELECT max(id) FROM logs WHERE id >= ? AND id < ?')
      .pluck()
      .safeIntegers(true);
    this.allocator = new RowidAllocator((ms) => {
      const lo = BigInt(ms) << 20n;
      return maxInMs.get(lo, lo + (1n << 20n)) ?? undefined;
    });
  }

  /**
   * Inserts the records; returns how many were written. They are inserted oldest first: FTS5
   * flushes its in-memory index whenever a rowid is lower than the one before it, so unsorted
   * input (a merged group of requests, or one request from many pods) would write many tiny
   * segments and spend the time merging them.
   */
  write(input: readonly LogRecord[]): number {
    for (let i = 0; i < input.length; i++) assertEncodable(input[i]?.timeMs ?? 0, `logs[${i}]`);
    const records = isSortedByTime(input) ? input : [...input].sort((a, b) => a.timeMs - b.timeMs);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r === undefined) continue;
      const source = this.sources.resolve(r.source);
      const rank = severityRank(r.severity);
      const ms = Math.floor(r.timeMs);
      const attrs = encodeAttributes(r.attributes);
      let id = this.allocator.allocate(ms);
      for (let attempt = 0; ; attempt++) {
        const exact = this.allocator.lastMs === r.timeMs ? null : r.timeMs;
        const info = this.insertRow.run(
          id,
          source.id,
          rank,
          exact,
          r.observedTimeMs ?? null,
          r.body,
          attrs,
          r.traceId ?? null,
          r.spanId ?? null,
        );
        if (info.changes === 1) break;
        if (attempt > 8) throw new StoreError('could not allocate a log rowid', { retryable: true });
        id = this.allocator.afterConflict(id);
      }
      const facets = source.facetsBySeverity[rank] ?? '';
      this.insertFts.run(id, r.body, r.traceId ? `${facets} ${traceToken(r.traceId)}` : facets);
    }
    this.allocator.trim();
    return records.length;
  }
}

function isSortedByTime(records: readonly LogRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if ((records[i]?.timeMs ?? 0) < (records[i - 1]?.timeMs ?? 0)) return false;
  }
  return true;
}

/** A stored row back to the record the user wrote, with its store id. */
export function logFromRow(row: LogRow, sources: SourceDictionary): LogRecord {
  const source = sources.source(Number(row.source_id));
  if (!source) {
    throw new StoreError(
      `log ${row.id} refers to unknown source ${row.source_id}; the database may be damaged`,
      {
        retryable: false,
      },
    );
  }
  const rec: LogRecord = {
    id: row.id.toString(),
    timeMs: row.time_ms ?? msOfRowid(row.id),
    source: { ...source },
    severity: SEVERITIES[Number(row.severity)] ?? 'info',
    body: row.body,
    attributes: decodeAttributes(row.attributes),
  };
  if (row.observed_ms !== null) rec.observedTimeMs = row.observed_ms;
  if (row.trace_id !== null) rec.traceId = row.trace_id;
  if (row.span_id !== null) rec.spanId = row.span_id;
  return rec;
}

const ROWID_TEXT = /^[0-9]{1,19}$/;

/** A store log id (or cursor) as a rowid; undefined when the text is not one. */
export function parseRowid(text: string): bigint | undefined {
  if (!ROWID_TEXT.test(text)) return undefined;
  const id = BigInt(text);
  return id <= MAX_ROWID ? id : undefined;
}

/** Reads log records by store id, in the order asked; unknown ids are skipped. */
export function getLogsById(db: Database, sources: SourceDictionary, ids: readonly string[]): LogRecord[] {
  const stmt = db
    .prepare<[bigint], LogRow>(`SELECT ${LOG_COLUMNS} FROM logs l WHERE l.id = ?`)
    .safeIntegers(true);
  const out: LogRecord[] = [];
  for (const id of ids) {
    const rowid = parseRowid(id);
    if (rowid === undefined) continue;
    const row = stmt.get(rowid);
    if (row) out.push(logFromRow(row, sources));
  }
  return out;
}
