import type { Database as Db } from 'better-sqlite3';
import { ConflictError, NotFoundError, ValidationError, newId } from '@sleuth/core';
import type { Role, Scope } from './principal';
import { decodeScope, encodeScope } from './scope-codec';

export interface User {
  id: string;
  username: string;
  displayName?: string;
  source: 'local' | 'oidc';
  role: Role;
  scope: Scope;
  createdMs: number;
  createdBy: string;
  disabledMs?: number;
  lastSignInMs?: number;
}

interface Row {
  id: string;
  username: string;
  display_name: string | null;
  password_hash: string | null;
  source: User['source'];
  role: Role;
  scope: string;
  created_ms: number;
  created_by: string;
  disabled_ms: number | null;
  last_sign_in_ms: number | null;
}

function toUser(r: Row): User {
  return {
    id: r.id,
    username: r.username,
    ...(r.display_name === null ? {} : { displayName: r.display_name }),
    source: r.source,
    role: r.role,
    scope: decodeScope(r.scope),
    createdMs: r.created_ms,
    createdBy: r.created_by,
    ...(r.disabled_ms === null ? {} : { disabledMs: r.disabled_ms }),
    ...(r.last_sign_in_ms === null ? {} : { lastSignInMs: r.last_sign_in_ms }),
  };
}

/** A user name: letters, digits and `._@+-`, as people and identity providers write them. */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;

export interface NewUser {
  username: string;
  displayName?: string;
  source: User['source'];
  role: Role;
  scope: Scope;
  passwordHash?: string;
  createdBy: string;
}

/** Local and single-sign-on users. Password hashes never leave this class except to be verified. */
export class Users {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  create(u: NewUser): User {
    if (!USERNAME.test(u.username)) {
      throw new ValidationError(
        'a user name has 1–200 letters, digits or ._@+- and starts with a letter or digit',
      );
    }
    if (this.byName(u.username)) throw new ConflictError(`a user named ${u.username} already exists`);
    const row: Row = {
      id: newId('usr', this.now()),
      username: u.username,
      display_name: u.displayName ?? null,
      password_hash: u.passwordHash ?? null,
      source: u.source,
      role: u.role,
      scope: encodeScope(u.scope),
      created_ms: this.now(),
      created_by: u.createdBy,
      disabled_ms: null,
      last_sign_in_ms: null,
    };
    this.db
      .prepare(
        `INSERT INTO users VALUES (@id, @username, @display_name, @password_hash, @source, @role, @scope,
          @created_ms, @created_by, @disabled_ms, @last_sign_in_ms)`,
      )
      .run(row);
    return toUser(row);
  }

  get(id: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r && toUser(r);
  }

  byName(username: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r && toUser(r);
  }

  /** The stored password hash of a local, enabled user. */
  passwordHash(id: string): string | undefined {
    const r = this.db
      .prepare("SELECT password_hash FROM users WHERE id = ? AND source = 'local' AND disabled_ms IS NULL")
      .get(id) as { password_hash: string | null } | undefined;
    return r?.password_hash ?? undefined;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as Row[]).map(toUser);
  }

  /** Whether an enabled admin exists (else the first-run setup is open). */
  hasAdmin(): boolean {
    return (
      this.db.prepare("SELECT 1 FROM users WHERE role = 'admin' AND disabled_ms IS NULL LIMIT 1").get() !==
      undefined
    );
  }

  /** Changes role, scope, display name, password or enabled state; ends the user's sessions. */
  update(
    id: string,
    change: { role?: Role; scope?: Scope; displayName?: string; passwordHash?: string; disabled?: boolean },
  ): User {
    const before = this.get(id);
    if (!before) throw new NotFoundError(`no user ${id}`);
    const after = { ...before, ...change };
    if (before.role === 'admin' && (after.role !== 'admin' || change.disabled === true))
      this.keepOneAdmin(id);
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE users SET role = @role, scope = @scope, display_name = @display_name,
             password_hash = COALESCE(@password_hash, password_hash),
             disabled_ms = CASE WHEN @disabled IS NULL THEN disabled_ms WHEN @disabled = 1 THEN COALESCE(disabled_ms, @now) ELSE NULL END
           WHERE id = @id`,
        )
        .run({
          id,
          role: after.role,
          scope: encodeScope(after.scope),
          display_name: after.displayName ?? null,
          password_hash: change.passwordHash ?? null,
          disabled: change.disabled === undefined ? null : change.disabled ? 1 : 0,
          now: this.now(),
        });
      this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    })();
    return this.get(id)!;
  }

  delete(id: string): User {
    const u = this.get(id);
    if (!u) throw new NotFoundError(`no user ${id}`);
    if (u.role === 'admin') this.keepOneAdmin(id);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    return u;
  }

  signedIn(id: string): void {
    this.db.prepare('UPDATE users SET last_sign_in_ms = ? WHERE id = ?').run(this.now(), id);
  }

  private keepOneAdmin(leaving: string): void {
    const others = this.db
      .prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_ms IS NULL AND id != ?")
      .get(leaving) as { n: number };
    if (others.n === 0) throw new ConflictError('this is the last enabled admin: make another admin first');
  }
}
