import type { Database, Statement } from 'better-sqlite3';
import { ResourceRef, StoreError, type K8sEvent } from '@sleuth/core';
import { checkWindow, parseQuery } from '../parse-query';
import { EventQuery } from '../queries';
import { parseJson } from './codec';

interface EventRow {
  id: number;
  uid: string | null;
  cluster: string;
  namespace: string | null;
  involved: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  first_ms: number;
  last_ms: number;
  reporting_component: string | null;
}

/**
 * Kubernetes events. An event whose (cluster, uid) is already stored is updated in place (count,
 * lastMs and message, taking the newer of the two), never duplicated; events without a uid are
 * always inserted.
 */
export class EventTable {
  private readonly insert: Statement<unknown[]>;
  private readonly update: Statement<{
    count: number;
    last: number;
    first: number;
    message: string;
    id: number;
  }>;
  private readonly byUid: Statement<[string, string], number>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO events (uid, cluster, namespace, kind, name, involved, type, reason, message, count, first_ms,
         last_ms, reporting_component) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.update = db.prepare(
      `UPDATE events SET count = max(count, @count),
         message = CASE WHEN @last >= last_ms THEN @message ELSE message END,
         last_ms = max(last_ms, @last), first_ms = min(first_ms, @first)
       WHERE id = @id`,
    );
    this.byUid = db
      .prepare<[string, string], number>('SELECT id FROM events WHERE cluster = ? AND uid = ?')
      .pluck();
  }

  /** Upserts events; must run inside the caller's transaction. */
  write(events: readonly K8sEvent[]): number {
    for (const e of events) {
      const existing = e.uid === undefined ? undefined : this.byUid.get(e.cluster, e.uid);
      if (existing !== undefined) {
        this.update.run({
          count: e.count,
          last: e.lastMs,
          first: e.firstMs,
          message: e.message,
          id: existing,
        });
        continue;
      }
      this.insert.run(
        e.uid ?? null,
        e.cluster,
        e.namespace ?? null,
        e.involved.kind,
        e.involved.name,
        JSON.stringify(e.involved),
        e.type,
        e.reason,
        e.message,
        e.count,
        e.firstMs,
        e.lastMs,
        e.reportingComponent ?? null,
      );
    }
    return events.length;
  }

  /** Events active in the window (first < to, last >= from), newest by lastMs first. */
  list(input: EventQuery): K8sEvent[] {
    const q = parseQuery(EventQuery, input);
    checkWindow(q);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (condition: string, value: unknown): void => {
      where.push(condition);
      args.push(value);
    };
    if (q.fromMs !== undefined) add('last_ms >= ?', q.fromMs);
    if (q.toMs !== undefined) add('first_ms < ?', q.toMs);
    if (q.cluster !== undefined) add('cluster = ?', q.cluster);
    if (q.namespace !== undefined) add('namespace = ?', q.namespace);
    if (q.kind !== undefined) add('kind = ?', q.kind);
    if (q.name !== undefined) add('name = ?', q.name);
    if (q.reason !== undefined) add('reason = ?', q.reason);
    if (q.type !== undefined) add('type = ?', q.type);
    const sql = `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY last_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], EventRow>(sql)
      .all(...args, q.limit)
      .map(fromRow);
  }
}

function fromRow(r: EventRow): K8sEvent {
  const involved = ResourceRef.safeParse(parseJson(r.involved));
  if (!involved.success)
    throw new StoreError(`event ${r.id} has a damaged involved object`, { retryable: false });
  const e: K8sEvent = {
    id: String(r.id),
    cluster: r.cluster,
    involved: involved.data,
    type: r.type === 'Warning' ? 'Warning' : 'Normal',
    reason: r.reason,
    message: r.message,
    count: r.count,
    firstMs: r.first_ms,
    lastMs: r.last_ms,
  };
  if (r.uid !== null) e.uid = r.uid;
  if (r.namespace !== null) e.namespace = r.namespace;
  if (r.reporting_component !== null) e.reportingComponent = r.reporting_component;
  return e;
}
