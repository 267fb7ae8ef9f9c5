import type { Database, Statement } from 'better-sqlite3';
import { refKey, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import { checkWindow, parseQuery } from '../parse-query';
import { HistoryQuery, ObjectQuery } from '../queries';
import { decodeRecord } from './codec';

interface ObjectRow {
  cluster: string;
  namespace: string | null;
  kind: string;
  name: string;
  uid: string | null;
  api_version: string;
  resource_version: string | null;
  time_ms: number;
  deleted: number;
  object: string;
}

interface Latest {
  time_ms: number;
  resource_version: string | null;
  deleted: number;
}

/**
 * Kubernetes object state: `objects` holds the latest snapshot of each object (a tombstone once it
 * is deleted), `object_history` every distinct state. A snapshot older than the stored latest
 * state only goes to history; one whose resourceVersion and deleted flag equal the latest state's
 * is not appended again.
 */
export class ObjectTable {
  private readonly latest: Statement<[string], Latest>;
  private readonly upsertLatest: Statement<unknown[]>;
  private readonly appendHistory: Statement<unknown[]>;

  constructor(private readonly db: Database) {
    this.latest = db.prepare('SELECT time_ms, resource_version, deleted FROM objects WHERE ref_key = ?');
    this.upsertLatest = db.prepare(
      `INSERT OR REPLACE INTO objects (ref_key, cluster, namespace, kind, name, uid, api_version, resource_version,
         time_ms, deleted, object) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.appendHistory = db.prepare(
      `INSERT INTO object_history (ref_key, uid, api_version, resource_version, time_ms, deleted, object)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Writes snapshots; must run inside the caller's transaction. */
  write(snapshots: readonly ObjectSnapshot[]): number {
    for (const s of snapshots) {
      const key = refKey(s.ref);
      const rv = s.resourceVersion ?? null;
      const deleted = s.deleted ? 1 : 0;
      const body = JSON.stringify(s.object);
      const prev = this.latest.get(key);
      const unchanged =
        prev !== undefined && rv !== null && prev.resource_version === rv && prev.deleted === deleted;
      if (unchanged) continue;
      if (prev === undefined || s.timeMs >= prev.time_ms) {
        this.upsertLatest.run(
          key,
          s.ref.cluster,
          s.ref.namespace ?? null,
          s.ref.kind,
          s.ref.name,
          s.ref.uid ?? null,
          s.apiVersion,
          rv,
          s.timeMs,
          deleted,
          body,
        );
      }
      this.appendHistory.run(key, s.ref.uid ?? null, s.apiVersion, rv, s.timeMs, deleted, body);
    }
    return snapshots.length;
  }

  /** Latest state of matching objects, by cluster, namespace, kind and name. */
  list(input: ObjectQuery): ObjectSnapshot[] {
    const q = parseQuery(ObjectQuery, input);
    const where: string[] = [];
    const args: unknown[] = [];
    for (const col of ['cluster', 'namespace', 'kind', 'name'] as const) {
      const v = q[col];
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (!q.includeDeleted) where.push('deleted = 0');
    if (q.after) {
      // A namespace is never empty, so '' puts cluster-scoped objects first, as NULL sorts.
      where.push("(cluster, coalesce(namespace, ''), kind, name) > (?, ?, ?, ?)");
      args.push(q.after.cluster, q.after.namespace ?? '', q.after.kind, q.after.name);
    }
    const sql = `SELECT * FROM objects ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY cluster, coalesce(namespace, ''), kind, name LIMIT ?`;
    return this.db
      .prepare<unknown[], ObjectRow>(sql)
      .all(...args, q.limit)
      .map(fromRow);
  }

  /** The latest state of one object (its tombstone if deleted). */
  get(ref: ResourceRef): ObjectSnapshot | undefined {
    const row = this.db
      .prepare<[string], ObjectRow>('SELECT * FROM objects WHERE ref_key = ?')
      .get(refKey(ref));
    return row ? fromRow(row) : undefined;
  }

  /** Past states of one object in the window, newest first. */
  history(ref: ResourceRef, input: HistoryQuery): ObjectSnapshot[] {
    const q = parseQuery(HistoryQuery, input);
    checkWindow(q);
    const key = refKey(ref);
    const rows = this.db
      .prepare<[string, number, number, number], Omit<ObjectRow, 'cluster' | 'namespace' | 'kind' | 'name'>>(
        `SELECT uid, api_version, resource_version, time_ms, deleted, object FROM object_history
         WHERE ref_key = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms DESC, id DESC LIMIT ?`,
      )
      .all(key, q.fromMs ?? 0, q.toMs ?? Number.MAX_VALUE, q.limit);
    return rows.map((r) =>
      fromRow({
        ...r,
        cluster: ref.cluster,
        namespace: ref.namespace ?? null,
        kind: ref.kind,
        name: ref.name,
      }),
    );
  }
}

function fromRow(r: ObjectRow): ObjectSnapshot {
  const ref: ResourceRef = { cluster: r.cluster, kind: r.kind, name: r.name };
  if (r.namespace !== null) ref.namespace = r.namespace;
  if (r.uid !== null) ref.uid = r.uid;
  const snap: ObjectSnapshot = {
    ref,
    apiVersion: r.api_version,
    timeMs: r.time_ms,
    deleted: r.deleted === 1,
    object: decodeRecord(r.object, 'objects'),
  };
  if (r.resource_version !== null) snap.resourceVersion = r.resource_version;
  return snap;
}
