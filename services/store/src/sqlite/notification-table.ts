import type { Database } from 'better-sqlite3';
import { NotificationDelivery } from '@sleuth/core';
import { parseQuery } from '../parse-query';
import { NotificationQuery } from '../queries';
import { decodeBody, encodeBody } from './codec';

/**
 * Notifications Sleuth sends about incidents, with their delivery state: the whole object as JSON
 * plus the columns lookups sort and filter on. Replaced by id; never removed by retention.
 */
export class NotificationTable {
  constructor(private readonly db: Database) {}

  /** Inserts or replaces a notification delivery by id. */
  put(n: NotificationDelivery): void {
    const body = encodeBody(NotificationDelivery, n, 'notification');
    this.db
      .prepare(
        `INSERT OR REPLACE INTO notifications (id, channel, incident_id, status, created_ms, body)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(n.id, n.channel, n.incidentId, n.status, n.createdMs, body);
  }

  /** Newest first by createdMs (ties broken by id, descending), filtered, from `before` on. */
  list(input: NotificationQuery): NotificationDelivery[] {
    const q = parseQuery(NotificationQuery, input);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (condition: string, ...values: unknown[]): void => {
      where.push(condition);
      args.push(...values);
    };
    if (q.incidentId !== undefined) add('incident_id = ?', q.incidentId);
    if (q.channel !== undefined) add('channel = ?', q.channel);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.before !== undefined)
      add(
        '(created_ms < ? OR (created_ms = ? AND id < ?))',
        q.before.createdMs,
        q.before.createdMs,
        q.before.id,
      );
    const sql = `SELECT body FROM notifications ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(NotificationDelivery, body, 'notification'));
  }
}
