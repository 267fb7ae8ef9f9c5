import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { StoreError } from '@sleuth/core';

/**
 * The database of who may sign in: users, API tokens, UI sessions and the audit log, in
 * `auth.sqlite` beside the signal store (whatever store holds the signals). Writes are
 * synchronous and FULL-synchronous: a revoked token stays revoked through a power cut.
 */

const SCHEMA_VERSION = 1;

const MIGRATION_1 = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT,
  password_hash TEXT,
  source TEXT NOT NULL CHECK (source IN ('local', 'oidc')),
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  scope TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  disabled_ms INTEGER,
  last_sign_in_ms INTEGER
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash BLOB NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  scope TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER,
  revoked_by TEXT,
  last_used_ms INTEGER
);
CREATE TABLE sessions (
  id_hash BLOB PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT,
  actor_name TEXT,
  ip TEXT,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  details TEXT,
  hash TEXT NOT NULL
);
CREATE INDEX audit_action ON audit(action, seq);
CREATE INDEX audit_actor ON audit(actor_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

/** Opens (creating and migrating) `auth.sqlite` in `dataDir`; `:memory:` for tests. */
export function openAuthDb(dataDir: string): Db {
  let db: Db;
  try {
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    db = new Database(dataDir === ':memory:' ? ':memory:' : join(dataDir, 'auth.sqlite'));
  } catch (err) {
    throw new StoreError(`cannot open the auth database in ${dataDir}: ${(err as Error).message}`, {
      retryable: false,
      cause: err,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(
      `the auth database has schema ${version}, newer than this Sleuth knows (${SCHEMA_VERSION}); run a newer Sleuth`,
      { retryable: false },
    );
  }
  if (version < 1) {
    db.transaction(() => {
      db.exec(MIGRATION_1);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }
  return db;
}
