import { createHash, randomBytes } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';

export interface Session {
  userId: string;
  csrfToken: string;
  createdMs: number;
  expiresMs: number;
}

function digest(id: string): Buffer {
  return createHash('sha256').update(id).digest();
}

/**
 * UI sign-ins. The cookie carries a random 256-bit id; the database keeps only its SHA-256, so a
 * copy of the database signs nobody in. A session ends at its absolute expiry, after
 * `idleMs` unused, at sign-out, or when its user is changed, disabled or deleted.
 */
export class Sessions {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session; returns the cookie value and the session. */
  start(userId: string, ip: string | undefined): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = {
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      createdMs: now,
      expiresMs: now + this.ttlMs,
    };
    this.db
      .prepare('INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(digest(id), userId, session.csrfToken, now, session.expiresMs, now, ip ?? null);
    return { id, session };
  }

  /** The live session a cookie value names; expired or idle ones are ended. */
  get(id: string): Session | undefined {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = digest(id);
    const r = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(key) as
      | { user_id: string; csrf: string; created_ms: number; expires_ms: number; last_seen_ms: number }
      | undefined;
    if (!r) return undefined;
    const now = this.now();
    const lastSeen = Math.max(r.last_seen_ms, this.touched.get(id) ?? 0);
    if (r.expires_ms <= now || now - lastSeen > this.idleMs) {
      this.end(id);
      return undefined;
    }
    this.touched.set(id, now);
    // Idle time is counted to the minute: one write a minute per active session, not one per request.
    if (now - r.last_seen_ms >= 60_000) {
      this.db.prepare('UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ?').run(now, key);
    }
    return { userId: r.user_id, csrfToken: r.csrf, createdMs: r.created_ms, expiresMs: r.expires_ms };
  }

  end(id: string): void {
    this.touched.delete(id);
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(id));
  }

  /** Deletes sessions past their expiry (run now and then). */
  sweep(): number {
    this.touched.clear();
    return this.db
      .prepare('DELETE FROM sessions WHERE expires_ms <= ? OR last_seen_ms <= ?')
      .run(this.now(), this.now() - this.idleMs - 60_000).changes;
  }
}
