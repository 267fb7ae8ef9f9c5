import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { ConfigError, ForbiddenError, UnauthorizedError, type FrozenConfig, type Logger } from '@sleuth/core';
import type { AuditLog } from './audit-log';
import { readCookie } from './gate';
import { higherRole, unionScope, type Scope } from './principal';
import type { User, Users } from './users';

const FLOW_COOKIE = 'sleuth_oidc';
const FLOW_MS = 10 * 60_000;
const MAX_FLOWS = 10_000;

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  startedMs: number;
}

/** Where a user goes after signing in: a path of this site only. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(next) ? next : '/';
}

/**
 * Single sign-on with an OpenID Connect provider: authorization code flow with PKCE, state and
 * nonce, the ID token's signature, issuer, audience and expiry checked by openid-client. The
 * user's groups map to a role and scope (auth.oidc.roles) at every sign-in; a user in no mapped
 * group is refused.
 */
export class OidcSignIn {
  readonly displayName: string;
  private readonly flows = new Map<string, Flow>();

  private constructor(
    private readonly client: oidc.Configuration,
    private readonly settings: FrozenConfig['auth']['oidc'],
    private readonly redirectUri: string,
    private readonly users: Users,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {
    this.displayName = settings.displayName;
  }

  /** Reads the provider's discovery document; undefined when single sign-on is not configured. */
  static async create(
    config: FrozenConfig,
    users: Users,
    audit: AuditLog,
    logger: Logger,
  ): Promise<OidcSignIn | undefined> {
    const s = config.auth.oidc;
    if (s.issuer === undefined) return undefined;
    if (s.clientId === undefined)
      throw new ConfigError('auth.oidc.clientId is required with auth.oidc.issuer', {
        key: 'auth.oidc.clientId',
      });
    if (config.server.publicUrl === undefined) {
      throw new ConfigError('server.publicUrl is required with auth.oidc.issuer: it makes the redirect URI', {
        key: 'server.publicUrl',
      });
    }
    if (!s.scopes.includes('openid'))
      throw new ConfigError('auth.oidc.scopes must include openid', { key: 'auth.oidc.scopes' });
    const secret = s.clientSecretFile ? readFileSync(s.clientSecretFile, 'utf8').trim() : s.clientSecret;
    const issuer = new URL(s.issuer);
    let client: oidc.Configuration;
    try {
      client = await oidc.discovery(
        issuer,
        s.clientId,
        secret,
        undefined,
        issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
    } catch (err) {
      throw new ConfigError(`auth.oidc.issuer ${s.issuer}: discovery failed: ${(err as Error).message}`, {
        key: 'auth.oidc.issuer',
      });
    }
    const redirectUri = `${config.server.publicUrl.replace(/\/$/, '')}/api/v1/auth/oidc/callback`;
    logger.info({ issuer: s.issuer, redirectUri }, 'single sign-on is on');
    return new OidcSignIn(client, s, redirectUri, users, audit, logger);
  }

  /** `GET /auth/oidc/start?next=/path` and `GET /auth/oidc/callback`. */
  register(
    app: FastifyInstance,
    signedIn: (user: User, req: FastifyRequest, reply: FastifyReply) => void,
  ): void {
    app.get(
      '/auth/oidc/start',
      {
        config: { access: 'public' },
        schema: { querystring: z.object({ next: z.string().max(600).optional() }) },
      },
      async (req, reply) => {
        this.expireFlows();
        if (this.flows.size >= MAX_FLOWS)
          throw new UnauthorizedError('too many sign-ins in progress; try again shortly');
        const flow: Flow = {
          verifier: oidc.randomPKCECodeVerifier(),
          state: oidc.randomState(),
          nonce: oidc.randomNonce(),
          next: safeNext((req.query as { next?: string }).next),
          startedMs: Date.now(),
        };
        const id = randomBytes(24).toString('base64url');
        this.flows.set(id, flow);
        const url = oidc.buildAuthorizationUrl(this.client, {
          redirect_uri: this.redirectUri,
          scope: this.settings.scopes.join(' '),
          code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
          code_challenge_method: 'S256',
          state: flow.state,
          nonce: flow.nonce,
        });
        const secure = this.redirectUri.startsWith('https:') ? '; Secure' : '';
        void reply.header(
          'set-cookie',
          `${FLOW_COOKIE}=${id}; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${FLOW_MS / 1000}${secure}`,
        );
        return reply.redirect(url.href, 302);
      },
    );

    // The provider's parameters (code, state, iss, session_state, error, …) are checked by
    // openid-client, which knows the protocol's; any the provider adds are its business.
    app.get(
      '/auth/oidc/callback',
      { config: { access: 'public', audit: 'none', anyQuery: true } },
      async (req, reply) => {
        const id = readCookie(req.headers.cookie, FLOW_COOKIE);
        const flow = id === undefined ? undefined : this.flows.get(id);
        if (id !== undefined) this.flows.delete(id);
        void reply.header(
          'set-cookie',
          `${FLOW_COOKIE}=; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0`,
        );
        if (!flow || Date.now() - flow.startedMs > FLOW_MS) {
          throw new UnauthorizedError('this sign-in was not started here or took too long; start again');
        }
        const current = new URL(this.redirectUri);
        current.search = new URL(req.url, 'http://callback').search;
        let claims: oidc.IDToken;
        try {
          const tokens = await oidc.authorizationCodeGrant(this.client, current, {
            pkceCodeVerifier: flow.verifier,
            expectedState: flow.state,
            expectedNonce: flow.nonce,
            idTokenExpected: true,
          });
          claims = tokens.claims()!;
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'single sign-on failed');
          this.audit.append({
            actor: { kind: 'anonymous' },
            ip: req.ip,
            action: 'auth.sign_in',
            outcome: 'denied',
            details: { method: 'oidc', error: (err as Error).message },
          });
          throw new UnauthorizedError(`single sign-on failed: ${(err as Error).message}`);
        }
        const user = this.provision(claims, req.ip);
        signedIn(user, req, reply);
        return reply.redirect(flow.next, 302);
      },
    );
  }

  /** The user an ID token names, created or brought up to date with the role and scope of its groups. */
  private provision(claims: oidc.IDToken, ip: string): User {
    const name = claims[this.settings.usernameClaim];
    if (typeof name !== 'string' || name === '') {
      throw new UnauthorizedError(
        `the ID token has no ${this.settings.usernameClaim} claim to name the user`,
      );
    }
    const raw = claims[this.settings.groupsClaim];
    const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
    const matches = this.settings.roles.filter((m) => groups.includes(m.group));
    if (matches.length === 0) {
      this.audit.append({
        actor: { kind: 'anonymous', name },
        ip,
        action: 'auth.sign_in',
        target: name,
        outcome: 'denied',
        details: { method: 'oidc', groups },
      });
      throw new ForbiddenError(`${name} is in no group auth.oidc.roles maps to a role`);
    }
    const role = matches.map((m) => m.role).reduce(higherRole);
    const scope: Scope = unionScope(
      matches.map((m): Scope => (m.scope === undefined ? 'all' : [...m.scope])),
    );
    const username = name.slice(0, 200);
    const displayName = typeof claims['name'] === 'string' ? claims['name'].slice(0, 200) : undefined;
    const existing = this.users.byName(username);
    if (!existing) {
      return this.users.create({
        username,
        ...(displayName ? { displayName } : {}),
        source: 'oidc',
        role,
        scope,
        createdBy: 'single sign-on',
      });
    }
    if (existing.source !== 'oidc') {
      throw new ForbiddenError(
        `a local user named ${username} exists; single sign-on does not take over local accounts`,
      );
    }
    const same = existing.role === role && JSON.stringify(existing.scope) === JSON.stringify(scope);
    return same
      ? existing
      : this.users.update(existing.id, { role, scope, ...(displayName ? { displayName } : {}) });
  }

  private expireFlows(): void {
    const now = Date.now();
    for (const [id, f] of this.flows) if (now - f.startedMs > FLOW_MS) this.flows.delete(id);
  }
}
