import { SqliteError, type Database, type Statement } from 'better-sqlite3';
import { severityRank, SEVERITIES, ValidationError } from '@sleuth/core';
import { checkWindow, parseQuery } from '../parse-query';
import { LogQuery } from '../queries';
import type { LogPage } from '../store';
import { toFtsMatch } from './fts-query';
import { LOG_COLUMNS, logFromRow, parseRowid, traceToken, type LogRow } from './log-table';
import { FACET_FIELD_NAMES, TOKEN_SEVERITY_FROM, type SourceDictionary } from './source-dictionary';
import { rowidWindow } from './time-rowid';

/** The parts of a search after validation: an FTS expression (if any) and the rowid range. */
export interface LogSearchPlan {
  /** FTS5 MATCH expression over body and facets; absent when only the window restricts. */
  match?: string;
  lo: bigint;
  hi: bigint;
  /** Exact bounds to compare when the window's bounds carry a fraction of a millisecond. */
  exactFrom?: number;
  exactTo?: number;
  /** Severity ranks to keep, checked on the row (when not part of `match`). */
  severities?: number[];
  limit: number;
}

/**
 * Validates a log query and turns it into one FTS5 expression: the text terms on `body`, every
 * filter as a facet token on `facets` (cluster, namespace, workload, pod, container, service,
 * severities, trace id), ANDed. Returns undefined when a filter names a value no stored log has
 * (nothing can match).
 */
export function planLogSearch(input: LogQuery, sources: SourceDictionary): LogSearchPlan | undefined {
  const q = parseQuery(LogQuery, input);
  checkWindow(q);
  const parts: string[] = [];
  let exclude: string | undefined;
  if (q.q !== undefined && q.q.trim() !== '') {
    const m = toFtsMatch(q.q, 'body');
    if (m.include !== undefined) parts.push(`(${m.include})`);
    exclude = m.exclude;
  }
  for (const field of FACET_FIELD_NAMES) {
    const value = q[field];
    if (value === undefined) continue;
    const token = sources.facetToken(field, value);
    if (token === undefined) return undefined;
    parts.push(`facets : "${token}"`);
  }
  const ranks = [...new Set(q.severities ?? [])].map(severityRank).sort((a, b) => a - b);
  const bySeverityToken = ranks.length > 0 && ranks.every((r) => r >= TOKEN_SEVERITY_FROM);
  if (bySeverityToken) parts.push(`(${ranks.map((r) => `facets : "e${r}"`).join(' OR ')})`);
  if (q.traceId !== undefined) parts.push(`facets : "${traceToken(q.traceId)}"`);
  if (parts.length === 0 && exclude !== undefined) {
    // FTS5 needs something to exclude from: every row carries its cluster's token.
    const clusters = sources.clusterTokens();
    if (clusters.length === 0) return undefined;
    parts.push(`(${clusters.map((t) => `facets : "${t}"`).join(' OR ')})`);
  }

  const w = rowidWindow(q.fromMs, q.toMs);
  let hi = w.hi;
  if (q.cursor !== undefined) {
    const after = parseRowid(q.cursor);
    if (after === undefined) throw new ValidationError('cursor: not a cursor this store issued');
    if (after < hi) hi = after;
  }
  const plan: LogSearchPlan = { lo: w.lo, hi, limit: q.limit };
  if (parts.length > 0)
    plan.match = exclude === undefined ? parts.join(' AND ') : `(${parts.join(' AND ')}) NOT (${exclude})`;
  if (w.exactFrom && q.fromMs !== undefined) plan.exactFrom = q.fromMs;
  if (w.exactTo && q.toMs !== undefined) plan.exactTo = q.toMs;
  if (!bySeverityToken && ranks.length > 0 && ranks.length < SEVERITIES.length) plan.severities = ranks;
  return plan;
}

/**
 * Log search, newest first. With an FTS expression, FTS5 walks its rowid-sorted doclists from the
 * top of the window downwards (`ORDER BY rowid DESC` is consumed by FTS5, the window bounds are
 * rowid constraints) and each hit is joined to its row by rowid; SQLite stops after `limit + 1`.
 * Without one it is a descending rowid range scan of `logs`. Either way the cost follows the
 * number of hits examined, not the size of the store.
 */
export class LogSearch {
  private readonly statements = new Map<string, Statement<unknown[], LogRow>>();

  constructor(
    private readonly db: Database,
    private readonly sources: SourceDictionary,
  ) {}

  search(query: LogQuery): LogPage {
    const plan = planLogSearch(query, this.sources);
    if (!plan || plan.lo >= plan.hi) return { records: [] };
    const args: unknown[] = [];
    let sql: string;
    if (plan.match !== undefined) {
      sql = `SELECT ${LOG_COLUMNS} FROM logs_fts f CROSS JOIN logs l ON l.id = f.rowid
             WHERE logs_fts MATCH ? AND f.rowid >= ? AND f.rowid < ?`;
      args.push(plan.match, plan.lo, plan.hi);
    } else {
      sql = `SELECT ${LOG_COLUMNS} FROM logs l WHERE l.id >= ? AND l.id < ?`;
      args.push(plan.lo, plan.hi);
    }
    if (plan.exactFrom !== undefined) {
      sql += ' AND coalesce(l.time_ms, l.id >> 20) >= ?';
      args.push(plan.exactFrom);
    }
    if (plan.exactTo !== undefined) {
      sql += ' AND coalesce(l.time_ms, l.id >> 20) < ?';
      args.push(plan.exactTo);
    }
    if (plan.severities !== undefined) sql += ` AND l.severity IN (${plan.severities.join(', ')})`;
    sql += ` ORDER BY ${plan.match !== undefined ? 'f.rowid' : 'l.id'} DESC LIMIT ?`;
    args.push(plan.limit + 1);
    let rows: LogRow[];
    try {
      rows = this.statement(sql).all(...args);
    } catch (err) {
      if (err instanceof SqliteError && /fts5/i.test(err.message)) {
        throw new ValidationError(`q: the search text cannot be used (${err.message})`);
      }
      throw err;
    }
    const page: LogPage = { records: rows.slice(0, plan.limit).map((r) => logFromRow(r, this.sources)) };
    const last = rows[plan.limit - 1];
    if (rows.length > plan.limit && last) page.nextCursor = last.id.toString();
    return page;
  }

  private statement(sql: string): Statement<unknown[], LogRow> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], LogRow>(sql).safeIntegers(true);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
