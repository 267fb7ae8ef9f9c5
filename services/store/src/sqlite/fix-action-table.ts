import type { Database } from 'better-sqlite3';
import { FixAction, ValidationError } from '@sleuth/core';
import { parseQuery } from '../parse-query';
import { FixActionQuery } from '../queries';
import { decodeBody, encodeBody } from './codec';

/**
 * The remediation audit log: who asked for which fix and what came of it. Append-only: an entry
 * is inserted once and never replaced, updated or removed (retention keeps it).
 */
export class FixActionTable {
  constructor(private readonly db: Database) {}

  /** Appends one entry; an id already in the log is refused (ValidationError), not replaced. */
  append(a: FixAction): void {
    const body = encodeBody(FixAction, a, 'fix action');
    const r = this.db
      .prepare(
        `INSERT OR IGNORE INTO fix_actions (id, incident_id, outcome, at_ms, body) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(a.id, a.incidentId, a.outcome, a.atMs, body);
    if (r.changes === 0)
      throw new ValidationError(`fix action ${a.id} is already in the audit log; entries are never replaced`);
  }

  /** Newest first by atMs (ties broken by id, descending), filtered, from `before` on. */
  list(input: FixActionQuery): FixAction[] {
    const q = parseQuery(FixActionQuery, input);
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.incidentId !== undefined) {
      where.push('incident_id = ?');
      args.push(q.incidentId);
    }
    if (q.outcome !== undefined) {
      where.push('outcome = ?');
      args.push(q.outcome);
    }
    if (q.before !== undefined) {
      where.push('(at_ms < ? OR (at_ms = ? AND id < ?))');
      args.push(q.before.atMs, q.before.atMs, q.before.id);
    }
    const sql = `SELECT body FROM fix_actions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY at_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(FixAction, body, 'fix action'));
  }
}
