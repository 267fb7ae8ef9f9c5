import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import { NotFoundError, ValidationError } from '@sleuth/core';
import type { Role, Scope } from './principal';
import { decodeScope, encodeScope } from './scope-codec';

/** An API token as listed: never its secret, which exists only in the answer that created it. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  scope: Scope;
  createdBy: string;
  createdMs: number;
  expiresMs: number;
  revokedMs?: number;
  revokedBy?: string;
  lastUsedMs?: number;
}

interface Row {
  id: string;
  name: string;
  secret_hash: Buffer;
  role: Role;
  scope: string;
  created_by: string;
  created_ms: number;
  expires_ms: number;
  revoked_ms: number | null;
  revoked_by: string | null;
  last_used_ms: number | null;
}

function toToken(r: Row): ApiToken {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    scope: decodeScope(r.scope),
    createdBy: r.created_by,
    createdMs: r.created_ms,
    expiresMs: r.expires_ms,
    ...(r.revoked_ms === null ? {} : { revokedMs: r.revoked_ms }),
    ...(r.revoked_by === null ? {} : { revokedBy: r.revoked_by }),
    ...(r.last_used_ms === null ? {} : { lastUsedMs: r.last_used_ms }),
  };
}

/**
 * `sleuth_<12 hex id>_<43 base64url secret>`: the id finds the row, the 256-bit secret is checked
 * against its SHA-256 (a slow hash adds nothing for a random secret of that size). The prefix lets
 * secret scanners and Sleuth's own log redaction recognise a leaked token.
 */
export const TOKEN_FORMAT = /^sleuth_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export type TokenCheck =
  | { ok: true; token: ApiToken }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired'; token?: ApiToken };

/** Hashed, scoped, expiring, revocable API tokens. */
export class ApiTokens {
  /** When each token's use was last written, so a busy token costs one write a minute. */
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  create(t: { name: string; role: Role; scope: Scope; expiresMs: number; createdBy: string }): {
    token: ApiToken;
    secret: string;
  } {
    if (t.expiresMs <= this.now()) throw new ValidationError('expiresAt must be in the future');
    const id = randomBytes(6).toString('hex');
    const secretPart = randomBytes(32).toString('base64url');
    const row: Row = {
      id,
      name: t.name,
      secret_hash: digest(secretPart),
      role: t.role,
      scope: encodeScope(t.scope),
      created_by: t.createdBy,
      created_ms: this.now(),
      expires_ms: t.expiresMs,
      revoked_ms: null,
      revoked_by: null,
      last_used_ms: null,
    };
    this.db
      .prepare(
        `INSERT INTO tokens VALUES (@id, @name, @secret_hash, @role, @scope, @created_by, @created_ms,
          @expires_ms, @revoked_ms, @revoked_by, @last_used_ms)`,
      )
      .run(row);
    return { token: toToken(row), secret: `sleuth_${id}_${secretPart}` };
  }

  /** Checks a presented token; `reason` says why it is refused. */
  check(presented: string): TokenCheck {
    const m = TOKEN_FORMAT.exec(presented);
    if (!m) return { ok: false, reason: 'malformed' };
    const r = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(m[1]) as Row | undefined;
    if (!r || !timingSafeEqual(r.secret_hash, digest(m[2]!))) return { ok: false, reason: 'unknown' };
    const token = toToken(r);
    if (r.revoked_ms !== null) return { ok: false, reason: 'revoked', token };
    const now = this.now();
    if (r.expires_ms <= now) return { ok: false, reason: 'expired', token };
    if (now - (this.lastWrite.get(r.id) ?? 0) >= 60_000) {
      this.lastWrite.set(r.id, now);
      this.db.prepare('UPDATE tokens SET last_used_ms = ? WHERE id = ?').run(now, r.id);
    }
    return { ok: true, token };
  }

  get(id: string): ApiToken | undefined {
    const r = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as Row | undefined;
    return r && toToken(r);
  }

  /** Newest first, revoked and expired ones included (they say so). */
  list(): ApiToken[] {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_ms DESC, id').all() as Row[]).map(toToken);
  }

  /** Revokes a token for good; revoking twice keeps the first time. */
  revoke(id: string, by: string): ApiToken {
    const r = this.db
      .prepare(
        'UPDATE tokens SET revoked_ms = COALESCE(revoked_ms, ?), revoked_by = COALESCE(revoked_by, ?) WHERE id = ?',
      )
      .run(this.now(), by, id);
    if (r.changes === 0) throw new NotFoundError(`no token ${id}`);
    return this.get(id)!;
  }
}
