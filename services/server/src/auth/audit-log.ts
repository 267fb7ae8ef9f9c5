import { createHash } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';

/** Who did it: a user, a token, the local machine (auth off), a sender, or nobody known. */
export interface AuditActor {
  kind: 'user' | 'token' | 'local' | 'anonymous' | 'system';
  id?: string;
  name?: string;
}

export interface AuditInput {
  actor: AuditActor;
  ip?: string;
  /** Dotted verb such as `auth.sign_in`, `token.created`, `fix.pull_request`. */
  action: string;
  /** What it was done to: a user name, a token id, an incident id, a route. */
  target?: string;
  outcome: 'ok' | 'denied' | 'failed';
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  atMs: number;
  /** SHA-256 over the previous entry's hash and this entry: editing or removing any entry breaks the chain. */
  hash: string;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  outcome?: AuditInput['outcome'];
  fromMs?: number;
  toMs?: number;
  /** Only entries older than this sequence number (the next page). */
  before?: number;
  limit: number;
}

interface Row {
  seq: number;
  at_ms: number;
  actor_kind: AuditActor['kind'];
  actor_id: string | null;
  actor_name: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: AuditInput['outcome'];
  details: string | null;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function chainHash(prev: string, r: Omit<Row, 'hash'>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        prev,
        r.seq,
        r.at_ms,
        r.actor_kind,
        r.actor_id,
        r.actor_name,
        r.ip,
        r.action,
        r.target,
        r.outcome,
        r.details,
      ]),
    )
    .digest('hex');
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    atMs: r.at_ms,
    actor: {
      kind: r.actor_kind,
      ...(r.actor_id === null ? {} : { id: r.actor_id }),
      ...(r.actor_name === null ? {} : { name: r.actor_name }),
    },
    ...(r.ip === null ? {} : { ip: r.ip }),
    action: r.action,
    ...(r.target === null ? {} : { target: r.target }),
    outcome: r.outcome,
    ...(r.details === null ? {} : { details: JSON.parse(r.details) as Record<string, unknown> }),
    hash: r.hash,
  };
}

/**
 * The audit log: append-only (the database refuses UPDATE and DELETE on it) and hash-chained,
 * so `verify()` finds an entry changed or removed behind the database's back.
 */
export class AuditLog {
  private readonly last: Statement;
  private readonly insert: Statement;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO audit (seq, at_ms, actor_kind, actor_id, actor_name, ip, action, target, outcome, details, hash)
       VALUES (@seq, @at_ms, @actor_kind, @actor_id, @actor_name, @ip, @action, @target, @outcome, @details, @hash)`,
    );
  }

  /** Appends one entry, durable when this returns. */
  append(input: AuditInput): AuditEntry {
    return this.db.transaction(() => {
      const prev = this.last.get() as { seq: number; hash: string } | undefined;
      const row: Omit<Row, 'hash'> = {
        seq: (prev?.seq ?? 0) + 1,
        at_ms: this.now(),
        actor_kind: input.actor.kind,
        actor_id: input.actor.id ?? null,
        actor_name: input.actor.name ?? null,
        ip: input.ip ?? null,
        action: input.action,
        target: input.target ?? null,
        outcome: input.outcome,
        details: input.details === undefined ? null : JSON.stringify(input.details),
      };
      const full: Row = { ...row, hash: chainHash(prev?.hash ?? GENESIS, row) };
      this.insert.run(full);
      return toEntry(full);
    })();
  }

  /** Newest first. */
  list(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: q.limit };
    if (q.action !== undefined) {
      // `token` matches token.created and token.revoked; `token.created` only itself.
      where.push("(action = @action OR action LIKE @prefix ESCAPE '\\')");
      args['action'] = q.action;
      args['prefix'] = `${q.action.replace(/[%_\\]/g, '\\$&')}.%`;
    }
    if (q.actorId !== undefined) {
      where.push('actor_id = @actorId');
      args['actorId'] = q.actorId;
    }
    if (q.outcome !== undefined) {
      where.push('outcome = @outcome');
      args['outcome'] = q.outcome;
    }
    if (q.fromMs !== undefined) {
      where.push('at_ms >= @fromMs');
      args['fromMs'] = q.fromMs;
    }
    if (q.toMs !== undefined) {
      where.push('at_ms < @toMs');
      args['toMs'] = q.toMs;
    }
    if (q.before !== undefined) {
      where.push('seq < @before');
      args['before'] = q.before;
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(args) as Row[]).map(toEntry);
  }

  /** Recomputes the chain: the first entry whose hash or sequence does not follow, if any. */
  verify(): { entries: number; intact: boolean; brokenAt?: number } {
    let prev = GENESIS;
    let expectSeq = 1;
    let entries = 0;
    for (const r of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<Row>) {
      entries += 1;
      const { hash, ...rest } = r;
      if (r.seq !== expectSeq || chainHash(prev, rest) !== hash)
        return { entries, intact: false, brokenAt: r.seq };
      prev = hash;
      expectSeq += 1;
    }
    return { entries, intact: true };
  }
}
