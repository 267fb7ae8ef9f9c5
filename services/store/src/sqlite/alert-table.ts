import type { Database } from 'better-sqlite3';
import { Alert } from '@sleuth/core';
import { parseQuery } from '../parse-query';
import { AlertQuery } from '../queries';
import { decodeBody, encodeBody } from './codec';

/** Ids looked up per statement: well under SQLite's limit on bound parameters (32,766). */
const IDS_PER_LOOKUP = 500;

/**
 * Alerts received from alert senders: the whole object as JSON plus the columns lookups sort and
 * filter on. Replaced by id; never removed by retention.
 */
export class AlertTable {
  constructor(private readonly db: Database) {}

  /**
   * Inserts or replaces alerts by id, in one transaction. Every alert is checked first, so one
   * that does not match its schema throws ValidationError and none of the batch is written.
   */
  put(alerts: readonly Alert[]): void {
    const rows = alerts.map((alert, i) => ({ alert, body: encodeBody(Alert, alert, `alert at index ${i}`) }));
    const put = this.db.prepare(
      `INSERT OR REPLACE INTO alerts (id, receiver, fingerprint, status, incident_id, updated_ms, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const { alert: a, body } of rows)
        put.run(a.id, a.receiver, a.fingerprint, a.status, a.incidentId ?? null, a.updatedMs, body);
    })();
  }

  /** The stored alerts among `ids`, in the order of their first mention; unknown ids are left out. */
  get(ids: readonly string[]): Alert[] {
    const unique = [...new Set(ids)];
    const found = new Map<string, Alert>();
    for (let i = 0; i < unique.length; i += IDS_PER_LOOKUP) {
      const chunk = unique.slice(i, i + IDS_PER_LOOKUP);
      const rows = this.db
        .prepare<string[], { id: string; body: string }>(
          `SELECT id, body FROM alerts WHERE id IN (${chunk.map(() => '?').join(', ')})`,
        )
        .all(...chunk);
      for (const row of rows) found.set(row.id, decodeBody(Alert, row.body, 'alert'));
    }
    return unique.flatMap((id) => found.get(id) ?? []);
  }

  /** Newest update first (ties broken by id, descending), filtered, from `before` on. */
  list(input: AlertQuery): Alert[] {
    const q = parseQuery(AlertQuery, input);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (condition: string, ...values: unknown[]): void => {
      where.push(condition);
      args.push(...values);
    };
    if (q.receiver !== undefined) add('receiver = ?', q.receiver);
    if (q.fingerprint !== undefined) add('fingerprint = ?', q.fingerprint);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.incidentId !== undefined) add('incident_id = ?', q.incidentId);
    if (q.before !== undefined)
      add(
        '(updated_ms < ? OR (updated_ms = ? AND id < ?))',
        q.before.updatedMs,
        q.before.updatedMs,
        q.before.id,
      );
    const sql = `SELECT body FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY updated_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(Alert, body, 'alert'));
  }
}
