import type { Database } from 'better-sqlite3';
import { StoreError } from '@sleuth/core';

/** One step of the schema. Steps run in order, each in its own transaction, exactly once. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

/**
 * Version 1. Logs: rowid encodes time (time-rowid.ts); no B-tree index besides the rowid. The FTS5
 * table indexes the body and a `facets` column of tokens naming where the record came from
 * (`c<id> n<id> w<id> p<id> k<id> v<id>` for cluster, namespace, workload, pod, container and
 * service, `e<0..5>` for severity, `t<trace>` for the trace id), so every log filter is evaluated
 * inside FTS5 by intersecting rowid-sorted doclists, newest first, stopping at the limit.
 * Contentless with contentless_delete so retention can delete rows; detail=full so phrases are
 * evaluated by FTS5 itself. Merging: incremental merges start at 16 segments per level
 * (automerge) and an all-at-once merge only at 64 (crisismerge); with both at 16 every merge is
 * all at once, and one commit now and then takes most of a second.
 */
const V1 = `
CREATE TABLE signal_sources (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  cluster TEXT NOT NULL,
  namespace TEXT,
  workload_kind TEXT,
  workload TEXT,
  pod TEXT,
  container TEXT,
  node TEXT,
  service TEXT
);
CREATE TABLE log_facets (
  id INTEGER PRIMARY KEY,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (field, value)
);
CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  time_ms REAL,
  observed_ms REAL,
  body TEXT NOT NULL,
  attributes TEXT,
  trace_id TEXT,
  span_id TEXT
);
CREATE VIRTUAL TABLE logs_fts USING fts5(
  body, facets, content='', contentless_delete=1, detail=full
);
INSERT INTO logs_fts(logs_fts, rank) VALUES ('automerge', 16);
INSERT INTO logs_fts(logs_fts, rank) VALUES ('crisismerge', 64);

CREATE TABLE metric_series (
  id INTEGER PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  type TEXT NOT NULL,
  unit TEXT,
  cluster TEXT NOT NULL,
  namespace TEXT,
  workload_kind TEXT,
  workload TEXT,
  pod TEXT,
  container TEXT,
  node TEXT,
  service TEXT,
  first_ms REAL NOT NULL,
  last_ms REAL NOT NULL
);
CREATE INDEX metric_series_name ON metric_series (name);
CREATE TABLE metric_points (
  series_id INTEGER NOT NULL,
  time_ms REAL NOT NULL,
  value REAL,
  PRIMARY KEY (series_id, time_ms)
) WITHOUT ROWID;

CREATE TABLE spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  service TEXT NOT NULL,
  source_id INTEGER NOT NULL,
  start_ms REAL NOT NULL,
  end_ms REAL NOT NULL,
  duration_ms REAL NOT NULL,
  status TEXT NOT NULL,
  status_message TEXT,
  attributes TEXT
);
CREATE UNIQUE INDEX spans_trace ON spans (trace_id, span_id);
CREATE INDEX spans_service ON spans (service);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  uid TEXT,
  cluster TEXT NOT NULL,
  namespace TEXT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  involved TEXT NOT NULL,
  type TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_ms REAL NOT NULL,
  last_ms REAL NOT NULL,
  reporting_component TEXT
);
CREATE UNIQUE INDEX events_uid ON events (cluster, uid);
CREATE INDEX events_last ON events (last_ms);
CREATE INDEX events_involved ON events (cluster, kind, name);

CREATE TABLE objects (
  ref_key TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  namespace TEXT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT,
  api_version TEXT NOT NULL,
  resource_version TEXT,
  time_ms REAL NOT NULL,
  deleted INTEGER NOT NULL,
  object TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX objects_kind ON objects (cluster, kind, namespace);
CREATE TABLE object_history (
  id INTEGER PRIMARY KEY,
  ref_key TEXT NOT NULL,
  uid TEXT,
  api_version TEXT NOT NULL,
  resource_version TEXT,
  time_ms REAL NOT NULL,
  deleted INTEGER NOT NULL,
  object TEXT NOT NULL
);
CREATE INDEX object_history_ref ON object_history (ref_key, time_ms);
CREATE INDEX object_history_time ON object_history (time_ms);

CREATE TABLE anomalies (
  id TEXT PRIMARY KEY,
  detector TEXT NOT NULL,
  cluster TEXT NOT NULL,
  namespace TEXT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  onset_ms REAL NOT NULL,
  active_until_ms REAL NOT NULL,
  end_ms REAL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX anomalies_onset ON anomalies (onset_ms);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  start_ms REAL NOT NULL,
  updated_ms REAL NOT NULL,
  resolved_ms REAL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX incidents_updated ON incidents (updated_ms);

CREATE TABLE signal_counts (kind TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO signal_counts (kind, n) VALUES ('logs', 0), ('metrics', 0), ('spans', 0);
`;

/**
 * Version 2. Chat conversations, their messages and LLM investigations: the whole object as JSON
 * plus the columns lookups sort and filter on. Ordinary rowid tables, not WITHOUT ROWID: a message
 * or investigation with its answer runs to kilobytes, too large a row for a clustered index.
 * A message's `seq` is its place in the conversation, given when it is first appended.
 */
const V2 = `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  incident_id TEXT,
  updated_ms REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX conversations_updated ON conversations (updated_ms, id);
CREATE INDEX conversations_incident ON conversations (incident_id, updated_ms, id);

CREATE TABLE chat_messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  created_ms REAL NOT NULL,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE UNIQUE INDEX chat_messages_seq ON chat_messages (conversation_id, seq);

CREATE TABLE investigations (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL,
  updated_ms REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX investigations_incident ON investigations (incident_id, updated_ms, id);
`;

/**
 * Version 3. Alerts received from Alertmanager, Grafana or a generic webhook, and the notifications
 * Sleuth sends about incidents with their delivery state: the whole object as JSON plus the
 * columns lookups sort and filter on. Ordinary rowid tables like V2's: an alert's labels and
 * annotations, or a notification's payload, run to kilobytes. `alerts_fingerprint` finds the
 * instances of one alert when a receiver gets it again; the other indexes serve the listings,
 * newest first, on their own or by incident (and, for notifications, by delivery status, which is
 * how pending ones are found after a restart).
 */
const V3 = `
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  receiver TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  incident_id TEXT,
  updated_ms REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX alerts_updated ON alerts (updated_ms, id);
CREATE INDEX alerts_incident ON alerts (incident_id, updated_ms, id);
CREATE INDEX alerts_fingerprint ON alerts (receiver, fingerprint);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX notifications_created ON notifications (created_ms, id);
CREATE INDEX notifications_incident ON notifications (incident_id, created_ms, id);
CREATE INDEX notifications_status ON notifications (status, created_ms, id);
`;

/**
 * Version 4. The remediation audit log: every request to open a fix (who, which incident, what
 * came of it), the whole entry as JSON plus the columns listings sort and filter on. Append-only:
 * rows are inserted, never replaced, updated or removed by retention.
 */
const V4 = `
CREATE TABLE fix_actions (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  at_ms REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX fix_actions_at ON fix_actions (at_ms, id);
CREATE INDEX fix_actions_incident ON fix_actions (incident_id, at_ms, id);
`;

/** Every schema version, oldest first. Append only: a released migration never changes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => db.exec(V1) },
  { version: 2, name: 'conversations and investigations', up: (db) => db.exec(V2) },
  { version: 3, name: 'alerts and notifications', up: (db) => db.exec(V3) },
  { version: 4, name: 'remediation audit log', up: (db) => db.exec(V4) },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** The version recorded in `schema_migrations` (0 for a new database). */
export function currentVersion(db: Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`);
  const row = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get();
  return row?.v ?? 0;
}

/**
 * Brings the database to SCHEMA_VERSION. Refuses, with a non-retryable StoreError, a database
 * written by a newer Sleuth: running old code on it could corrupt what the newer one relies on.
 * Returns the versions applied.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = currentVersion(db);
  if (current > latest) {
    throw new StoreError(
      `the database has schema version ${current} but this Sleuth only knows versions up to ${latest}; ` +
        'run a newer Sleuth on it, or point store.dataDir at another folder',
      { retryable: false, details: { schemaVersion: current, supported: latest } },
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, Date.now());
    })();
    applied.push(m.version);
  }
  return applied;
}
