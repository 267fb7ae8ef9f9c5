import type { Database } from 'better-sqlite3';
import { Investigation } from '@sleuth/core';
import { parseQuery } from '../parse-query';
import { InvestigationQuery } from '../queries';
import { decodeBody, encodeBody } from './codec';

/**
 * LLM investigations of incidents: the whole object as JSON plus the columns lookups sort and
 * filter on. Replaced by id; never removed by retention.
 */
export class InvestigationTable {
  constructor(private readonly db: Database) {}

  /** Inserts or replaces an investigation by id. */
  put(investigation: Investigation): void {
    const body = encodeBody(Investigation, investigation, 'investigation');
    this.db
      .prepare(
        'INSERT OR REPLACE INTO investigations (id, incident_id, updated_ms, body) VALUES (?, ?, ?, ?)',
      )
      .run(investigation.id, investigation.incidentId, investigation.updatedMs, body);
  }

  get(id: string): Investigation | undefined {
    const body = this.db
      .prepare<[string], string>('SELECT body FROM investigations WHERE id = ?')
      .pluck()
      .get(id);
    return body === undefined ? undefined : decodeBody(Investigation, body, 'investigation');
  }

  /** The incident's investigations, newest update first (ties broken by id, descending). */
  list(incidentId: string, input: InvestigationQuery = {}): Investigation[] {
    const q = parseQuery(InvestigationQuery, input);
    return this.db
      .prepare<[string, number], string>(
        `SELECT body FROM investigations WHERE incident_id = ?
         ORDER BY updated_ms DESC, id DESC LIMIT ?`,
      )
      .pluck()
      .all(incidentId, q.limit)
      .map((body) => decodeBody(Investigation, body, 'investigation'));
  }
}
