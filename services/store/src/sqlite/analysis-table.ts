import type { Database } from 'better-sqlite3';
import { Anomaly, Incident } from '@sleuth/core';
import { checkWindow, parseQuery } from '../parse-query';
import { AnomalyQuery, IncidentQuery } from '../queries';
import { decodeBody } from './codec';

/**
 * Anomalies and incidents: the whole object as JSON plus the columns queries filter and sort on.
 * Both are replaced by id and never removed by retention.
 */
export class AnalysisTable {
  constructor(private readonly db: Database) {}

  /** Inserts or replaces anomalies by id, in one transaction. */
  putAnomalies(anomalies: readonly Anomaly[]): void {
    const put = this.db.prepare(
      `INSERT OR REPLACE INTO anomalies (id, detector, cluster, namespace, kind, name, onset_ms, active_until_ms,
         end_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const a of anomalies) {
        const r = a.resource;
        put.run(
          a.id,
          a.detector,
          r.cluster,
          r.namespace ?? null,
          r.kind,
          r.name,
          a.onsetMs,
          a.endMs ?? Math.max(a.lastSeenMs, a.onsetMs),
          a.endMs ?? null,
          JSON.stringify(a),
        );
      }
    })();
  }

  /**
   * Anomalies active in the window (onset before `toMs`, end or last sighting at or after
   * `fromMs`), newest onset first.
   */
  listAnomalies(input: AnomalyQuery): Anomaly[] {
    const q = parseQuery(AnomalyQuery, input);
    checkWindow(q);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (condition: string, value: unknown): void => {
      where.push(condition);
      args.push(value);
    };
    if (q.fromMs !== undefined) add('active_until_ms >= ?', q.fromMs);
    if (q.toMs !== undefined) add('onset_ms < ?', q.toMs);
    if (q.cluster !== undefined) add('cluster = ?', q.cluster);
    if (q.namespace !== undefined) add('namespace = ?', q.namespace);
    if (q.detector !== undefined) add('detector = ?', q.detector);
    if (q.resource !== undefined) {
      add('cluster = ?', q.resource.cluster);
      add('kind = ?', q.resource.kind);
      add('name = ?', q.resource.name);
      if (q.resource.namespace === undefined) where.push('namespace IS NULL');
      else add('namespace = ?', q.resource.namespace);
    }
    if (q.openOnly) where.push('end_ms IS NULL');
    const sql = `SELECT body FROM anomalies ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY onset_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(Anomaly, body, 'anomaly'));
  }

  /** Inserts or replaces an incident by id. */
  putIncident(incident: Incident): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO incidents (id, status, start_ms, updated_ms, resolved_ms, body)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        incident.id,
        incident.status,
        incident.startMs,
        incident.updatedMs,
        incident.resolvedMs ?? null,
        JSON.stringify(incident),
      );
  }

  getIncident(id: string): Incident | undefined {
    const body = this.db.prepare<[string], string>('SELECT body FROM incidents WHERE id = ?').pluck().get(id);
    return body === undefined ? undefined : decodeBody(Incident, body, 'incident');
  }

  /**
   * Incidents active in the window (started before `toMs`, not resolved before `fromMs`), newest
   * update first, from `before` on. Place filters match an incident with any of its resources or
   * root causes' resources there.
   */
  listIncidents(input: IncidentQuery): Incident[] {
    const q = parseQuery(IncidentQuery, input);
    checkWindow(q);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (condition: string, ...values: unknown[]): void => {
      where.push(condition);
      args.push(...values);
    };
    if (q.fromMs !== undefined) add('(resolved_ms IS NULL OR resolved_ms >= ?)', q.fromMs);
    if (q.toMs !== undefined) add('start_ms < ?', q.toMs);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.severity !== undefined) add("body ->> '$.severity' = ?", q.severity);
    if (q.before !== undefined)
      add(
        '(updated_ms < ? OR (updated_ms = ? AND id < ?))',
        q.before.updatedMs,
        q.before.updatedMs,
        q.before.id,
      );
    // Field names come from this code, never from the query: only values are bound.
    const place = (conditions: [string, unknown][]): void => {
      const on = (json: string): string =>
        conditions.map(([field]) => `${json} ->> '$.${field}' = ?`).join(' AND ');
      const values = conditions.map(([, v]) => v);
      add(
        `(EXISTS (SELECT 1 FROM json_each(body, '$.resources') r WHERE ${on('r.value')})
          OR EXISTS (SELECT 1 FROM json_each(body, '$.rootCauses') c WHERE ${on("(c.value -> '$.resource')")}))`,
        ...values,
        ...values,
      );
    };
    if (q.cluster !== undefined) place([['cluster', q.cluster]]);
    if (q.namespace !== undefined) place([['namespace', q.namespace]]);
    if (q.resource !== undefined) {
      const r = q.resource;
      const conditions: [string, unknown][] = [
        ['kind', r.kind],
        ['name', r.name],
      ];
      if (r.cluster !== undefined) conditions.push(['cluster', r.cluster]);
      if (r.namespace !== undefined) conditions.push(['namespace', r.namespace]);
      place(conditions);
    }
    const sql = `SELECT body FROM incidents ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY updated_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(Incident, body, 'incident'));
  }
}
