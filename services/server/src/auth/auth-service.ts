import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import {
  ConflictError,
  ForbiddenError,
  UnauthorizedError,
  type FrozenConfig,
  type Logger,
} from '@sleuth/core';
import { openAuthDb } from './auth-db';
import { AuditLog, type AuditActor } from './audit-log';
import { checkNewPassword, hashPassword, verifyNobody, verifyPassword } from './passwords';
import type { Principal } from './principal';
import { RateLimiter } from './rate-limiter';
import { Sessions, type Session } from './sessions';
import { ApiTokens } from './tokens';
import { Users, type User } from './users';

/** Everyone on this machine, when authentication is off (allowed on a loopback address only). */
export const LOCAL_PRINCIPAL: Principal = {
  kind: 'local',
  id: 'local',
  name: 'local (authentication off)',
  role: 'admin',
  scope: 'all',
};

/** How long between two `token.used` audit entries of the same token. */
const TOKEN_USE_AUDIT_MS = 3_600_000;

/** A signed-in user as a principal, with its session's anti-forgery token. */
export function userPrincipal(user: User, session: Session): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    role: user.role,
    scope: user.scope,
    csrfToken: session.csrfToken,
  };
}

export function actorOf(p: Principal | undefined): AuditActor {
  if (!p) return { kind: 'anonymous' };
  return { kind: p.kind, id: p.id, name: p.name };
}

/**
 * Users, API tokens, sessions, the audit log and the first-run setup, over `auth.sqlite`.
 * Routes and the request gate use it; nothing else touches credentials.
 */
export class AuthService {
  readonly enabled: boolean;
  readonly users: Users;
  readonly tokens: ApiTokens;
  readonly sessions: Sessions;
  readonly audit: AuditLog;
  readonly requests: RateLimiter;
  readonly signInFailures: RateLimiter;
  private readonly db: Db;
  private readonly setupCodeFile: string;
  private setupCode: string | undefined;
  private readonly tokenAudited = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly config: FrozenConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    dataDir: string = config.store.dataDir,
  ) {
    const a = config.auth;
    this.enabled = a.enabled;
    this.db = openAuthDb(dataDir);
    this.users = new Users(this.db, now);
    this.tokens = new ApiTokens(this.db, now);
    this.sessions = new Sessions(this.db, a.sessionHours * 3_600_000, a.sessionIdleMinutes * 60_000, now);
    this.audit = new AuditLog(this.db, now);
    this.requests = new RateLimiter(a.requestsPerMinute, 'API requests', now);
    this.signInFailures = new RateLimiter(a.signInAttemptsPerMinute, 'failed sign-ins', now);
    this.setupCodeFile = a.setupCodeFile ?? join(dataDir, 'setup-code');
    this.sweeper = setInterval(() => this.sessions.sweep(), 10 * 60_000);
    this.sweeper.unref();
  }

  /**
   * Says loudly that authentication is off, or opens the first-run setup when no admin exists: a
   * one-time code goes to a file only the server's user can read (never to the log), and whoever
   * can read it creates the first admin in the UI (/setup) or with POST /api/v1/auth/setup.
   */
  announce(url: string): void {
    if (!this.enabled) {
      this.logger.warn(
        { url },
        'AUTHENTICATION IS OFF (auth.enabled=false): everyone who can reach this machine’s loopback address is admin. Never expose this port.',
      );
      return;
    }
    if (this.users.hasAdmin()) return;
    this.setupCode ??= randomBytes(18).toString('base64url');
    writeFileSync(this.setupCodeFile, `${this.setupCode}\n`, { mode: 0o600 });
    this.logger.warn(
      { setupUrl: `${url}/setup`, codeFile: this.setupCodeFile },
      'No admin yet: open the setup page and enter the one-time code from the code file to create the first admin',
    );
  }

  /** Whether the first-run setup is open (no admin yet). */
  setupOpen(): boolean {
    return this.enabled && !this.users.hasAdmin();
  }

  /** Creates the first admin with the setup code; the code then stops working. */
  async setup(code: string, username: string, password: string, ip: string | undefined): Promise<User> {
    if (!this.setupOpen()) throw new ConflictError('setup is done: an admin exists; sign in instead');
    const expected = this.setupCode;
    const ok =
      expected !== undefined &&
      code.length === expected.length &&
      timingSafeEqual(Buffer.from(code), Buffer.from(expected));
    if (!ok) {
      this.signInFailures.take(`ip:${ip ?? ''}`);
      this.audit.append({
        actor: { kind: 'anonymous' },
        ip,
        action: 'auth.setup',
        target: username,
        outcome: 'denied',
      });
      throw new UnauthorizedError(`the setup code is not the one in ${this.setupCodeFile}`);
    }
    checkNewPassword(password, username);
    const user = this.users.create({
      username,
      source: 'local',
      role: 'admin',
      scope: 'all',
      passwordHash: await hashPassword(password),
      createdBy: 'first-run setup',
    });
    this.setupCode = undefined;
    rmSync(this.setupCodeFile, { force: true });
    this.audit.append({
      actor: { kind: 'user', id: user.id, name: user.username },
      ip,
      action: 'auth.setup',
      target: username,
      outcome: 'ok',
    });
    return user;
  }

  /** Checks a user name and password; a session on success. Failures are rate limited and audited. */
  async signIn(
    username: string,
    password: string,
    ip: string | undefined,
  ): Promise<{ id: string; session: Session; user: User }> {
    const ipKey = `ip:${ip ?? ''}`;
    const userKey = `user:${username.toLowerCase()}`;
    if (this.signInFailures.exhausted(ipKey) || this.signInFailures.exhausted(userKey)) {
      // Count this one too, so the answer carries how long to wait.
      this.signInFailures.take(this.signInFailures.exhausted(ipKey) ? ipKey : userKey);
    }
    const user = this.users.byName(username);
    const hash = user && this.users.passwordHash(user.id);
    const ok = hash ? await verifyPassword(password, hash) : await verifyNobody(password);
    if (!user || !ok) {
      this.signInFailures.tryTake(ipKey);
      this.signInFailures.tryTake(userKey);
      this.audit.append({
        actor: user ? { kind: 'user', id: user.id, name: user.username } : { kind: 'anonymous' },
        ip,
        action: 'auth.sign_in',
        target: username,
        outcome: 'denied',
      });
      throw new UnauthorizedError('the user name or password is wrong, or the user is disabled');
    }
    return this.startSession(user, ip, 'password');
  }

  /** Starts a UI session for a user already proven (password or single sign-on). */
  startSession(
    user: User,
    ip: string | undefined,
    method: 'password' | 'oidc',
  ): {
    id: string;
    session: Session;
    user: User;
  } {
    if (user.disabledMs !== undefined) throw new ForbiddenError(`user ${user.username} is disabled`);
    const { id, session } = this.sessions.start(user.id, ip);
    this.users.signedIn(user.id);
    this.audit.append({
      actor: { kind: 'user', id: user.id, name: user.username },
      ip,
      action: 'auth.sign_in',
      target: user.username,
      outcome: 'ok',
      details: { method },
    });
    return { id, session, user };
  }

  /** The principal of a session cookie's value, or undefined when it is not a live session. */
  sessionPrincipal(cookie: string): Principal | undefined {
    const session = this.sessions.get(cookie);
    if (!session) return undefined;
    const user = this.users.get(session.userId);
    if (!user || user.disabledMs !== undefined) return undefined;
    return userPrincipal(user, session);
  }

  /** The principal of a bearer token; UnauthorizedError saying why not. */
  tokenPrincipal(presented: string, ip: string | undefined): Principal {
    const check = this.tokens.check(presented);
    if (!check.ok) {
      if (check.token) {
        this.audit.append({
          actor: { kind: 'token', id: check.token.id, name: check.token.name },
          ip,
          action: 'token.used',
          target: check.token.id,
          outcome: 'denied',
          details: { reason: check.reason },
        });
      }
      throw new UnauthorizedError(
        check.reason === 'revoked' || check.reason === 'expired'
          ? `the API token ${check.token?.id ?? ''} is ${check.reason}`
          : 'the API token is not valid',
      );
    }
    const t = check.token;
    const now = this.now();
    if (now - (this.tokenAudited.get(t.id) ?? 0) >= TOKEN_USE_AUDIT_MS) {
      this.tokenAudited.set(t.id, now);
      this.audit.append({
        actor: { kind: 'token', id: t.id, name: t.name },
        ip,
        action: 'token.used',
        target: t.id,
        outcome: 'ok',
      });
    }
    return { kind: 'token', id: t.id, name: t.name, role: t.role, scope: t.scope };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.db.close();
  }
}
