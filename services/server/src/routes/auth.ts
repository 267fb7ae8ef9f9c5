import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, ValidationError, type FrozenConfig } from '@sleuth/core';
import { LOCAL_PRINCIPAL, actorOf, userPrincipal, type AuthService } from '../auth/auth-service';
import { SESSION_COOKIE, principalOf, readCookie } from '../auth/gate';
import type { OidcSignIn } from '../auth/oidc';
import { checkNewPassword, hashPassword, verifyPassword } from '../auth/passwords';
import { ROLES, scopeWithin, type Principal, type Scope } from '../auth/principal';
import { ScopeSchema } from '../auth/scope-codec';
import { USERNAME } from '../auth/users';
import { Limit } from './params';

export interface AuthRouteDeps {
  config: FrozenConfig;
  auth: AuthService;
  oidc?: OidcSignIn;
}

const Username = z.string().regex(USERNAME, 'a user name has letters, digits or ._@+- (at most 200)');
const Password = z.string().min(1).max(1024);
const Role = z.enum(ROLES);
const Id = z.object({ id: z.string().min(1).max(100) });

const SignInBody = z.object({ username: Username, password: Password }).strict();
const SetupBody = z
  .object({ code: z.string().min(1).max(200), username: Username, password: Password })
  .strict();
const PasswordBody = z.object({ current: Password, password: Password }).strict();
const NewToken = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: Role,
    scope: ScopeSchema.default('all'),
    expiresInDays: z.number().int().positive().max(3650),
  })
  .strict();
const NewUser = z
  .object({
    username: Username,
    displayName: z.string().trim().min(1).max(200).optional(),
    password: Password.optional(),
    role: Role,
    scope: ScopeSchema.default('all'),
  })
  .strict();
const UserChange = z
  .object({
    displayName: z.string().trim().min(1).max(200).optional(),
    password: Password.optional(),
    role: Role.optional(),
    scope: ScopeSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
const AuditQuery = z
  .object({
    action: z.string().min(1).max(100).optional(),
    actor: z.string().min(1).max(100).optional(),
    outcome: z.enum(['ok', 'denied', 'failed']).optional(),
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: Limit(1000, 100),
  })
  .strict();

/** What the UI needs to know about whoever is asking. */
function sessionView(auth: AuthService, oidc: OidcSignIn | undefined, p: Principal | undefined) {
  return {
    authEnabled: auth.enabled,
    setupRequired: auth.setupOpen(),
    oidc: oidc ? { enabled: true, name: oidc.displayName } : { enabled: false },
    ...(p
      ? {
          user: { id: p.id, name: p.name, kind: p.kind, role: p.role, scope: p.scope },
          ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
        }
      : {}),
  };
}

function secure(config: FrozenConfig, req: FastifyRequest): boolean {
  const mode = config.auth.secureCookies;
  if (mode !== 'auto') return mode === 'always';
  return req.protocol === 'https' || (config.server.publicUrl ?? '').startsWith('https:');
}

/** Sets (or, with an empty value, clears) the session cookie: HttpOnly, SameSite=Strict, Secure on https. */
export function setSessionCookie(
  reply: FastifyReply,
  req: FastifyRequest,
  config: FrozenConfig,
  value: string,
): void {
  const maxAge = value === '' ? 0 : Math.round(config.auth.sessionHours * 3600);
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (secure(config, req)) attrs.push('Secure');
  void reply.header('set-cookie', `${SESSION_COOKIE}=${value}; ${attrs.join('; ')}`);
}

/** An admin gives no one more than they have themselves. */
function checkGrantable(by: Principal, scope: Scope): void {
  if (!scopeWithin(scope, by.scope)) {
    throw new ForbiddenError(`${by.name} cannot grant a scope wider than its own`);
  }
}

/**
 * Sign-in and who may do what (docs/security.md):
 * - `GET /auth/session` → {authEnabled, setupRequired, oidc, user?, csrfToken?}
 * - `POST /auth/sign-in` {username, password} → sets the session cookie; `POST /auth/sign-out`
 * - `POST /auth/setup` {code, username, password}: the first admin, with the one-time code
 * - `POST /auth/password` {current, password}: a local user changes their own password
 * - `GET|POST /tokens`, `DELETE /tokens/:id` (revoke); `GET|POST /users`, `PATCH|DELETE /users/:id`
 * - `GET /audit?action=&actor=&outcome=&from=&to=&before=&limit=`, `GET /audit/verify` (admin)
 */
export function authRoutes({ config, auth, oidc }: AuthRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const small = { bodyLimit: 16 * 1024 };

    app.get('/auth/session', { config: { access: 'public' } }, (req) => {
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      const p = !auth.enabled
        ? LOCAL_PRINCIPAL
        : cookie === undefined
          ? undefined
          : auth.sessionPrincipal(cookie);
      return sessionView(auth, oidc, p);
    });

    app.post(
      '/auth/sign-in',
      { ...small, config: { access: 'public', audit: 'none' }, schema: { body: SignInBody } },
      async (req, reply) => {
        if (!auth.enabled) throw new ValidationError('authentication is off: there is nothing to sign in to');
        const { id, user, session } = await auth.signIn(req.body.username, req.body.password, req.ip);
        setSessionCookie(reply, req, config, id);
        return sessionView(auth, oidc, userPrincipal(user, session));
      },
    );

    app.post(
      '/auth/sign-out',
      { ...small, config: { access: 'read', audit: 'auth.sign_out', scoped: true } },
      (req, reply) => {
        const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (cookie !== undefined) auth.sessions.end(cookie);
        setSessionCookie(reply, req, config, '');
        return reply.status(204).send();
      },
    );

    app.post(
      '/auth/setup',
      { ...small, config: { access: 'public', audit: 'none' }, schema: { body: SetupBody } },
      async (req, reply) => {
        const user = await auth.setup(req.body.code, req.body.username, req.body.password, req.ip);
        const { id, session } = auth.startSession(user, req.ip, 'password');
        setSessionCookie(reply, req, config, id);
        return reply.status(201).send(sessionView(auth, oidc, userPrincipal(user, session)));
      },
    );

    app.post(
      '/auth/password',
      {
        ...small,
        config: { access: 'read', audit: 'user.password', scoped: true },
        schema: { body: PasswordBody },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const hash = p.kind === 'user' ? auth.users.passwordHash(p.id) : undefined;
        if (!hash)
          throw new ValidationError('only a local user signed in with a password can change it here');
        if (!(await verifyPassword(req.body.current, hash)))
          throw new ForbiddenError('the current password is wrong');
        checkNewPassword(req.body.password, p.name);
        // Ends every session of the user, this one too: sign in again with the new password.
        auth.users.update(p.id, { passwordHash: await hashPassword(req.body.password) });
        setSessionCookie(reply, req, config, '');
        return reply.status(204).send();
      },
    );

    app.get('/tokens', { config: { access: 'admin' } }, () => ({ tokens: auth.tokens.list() }));

    app.post(
      '/tokens',
      { ...small, config: { access: 'admin', audit: 'none' }, schema: { body: NewToken } },
      (req, reply) => {
        const by = principalOf(req);
        const days = req.body.expiresInDays;
        if (days > config.auth.tokenMaxDays) {
          throw new ValidationError(`expiresInDays: at most ${config.auth.tokenMaxDays} (auth.tokenMaxDays)`);
        }
        checkGrantable(by, req.body.scope);
        const { token, secret } = auth.tokens.create({
          name: req.body.name,
          role: req.body.role,
          scope: req.body.scope,
          expiresMs: Date.now() + days * 86_400_000,
          createdBy: by.name,
        });
        auth.audit.append({
          actor: actorOf(by),
          ip: req.ip,
          action: 'token.created',
          target: token.id,
          outcome: 'ok',
          details: { name: token.name, role: token.role, scope: token.scope, expiresMs: token.expiresMs },
        });
        return reply.status(201).send({ token, secret });
      },
    );

    app.delete(
      '/tokens/:id',
      { config: { access: 'admin', audit: 'token.revoked' }, schema: { params: Id } },
      (req) => ({
        token: auth.tokens.revoke(req.params.id, principalOf(req).name),
      }),
    );

    app.get('/users', { config: { access: 'admin' } }, () => ({ users: auth.users.list() }));

    app.post(
      '/users',
      { ...small, config: { access: 'admin', audit: 'user.created' }, schema: { body: NewUser } },
      async (req, reply) => {
        const by = principalOf(req);
        checkGrantable(by, req.body.scope);
        if (req.body.password !== undefined) checkNewPassword(req.body.password, req.body.username);
        const user = auth.users.create({
          username: req.body.username,
          ...(req.body.displayName ? { displayName: req.body.displayName } : {}),
          source: 'local',
          role: req.body.role,
          scope: req.body.scope,
          ...(req.body.password === undefined ? {} : { passwordHash: await hashPassword(req.body.password) }),
          createdBy: by.name,
        });
        req.auditTarget = `${user.id} (${user.username})`;
        return reply.status(201).send({ user: user });
      },
    );

    app.patch(
      '/users/:id',
      {
        ...small,
        config: { access: 'admin', audit: 'user.updated' },
        schema: { params: Id, body: UserChange },
      },
      async (req) => {
        const by = principalOf(req);
        const { password, scope, ...rest } = req.body;
        if (scope !== undefined) checkGrantable(by, scope);
        const target = auth.users.get(req.params.id);
        if (target) req.auditTarget = `${target.id} (${target.username})`;
        if (password !== undefined && target) checkNewPassword(password, target.username);
        const user = auth.users.update(req.params.id, {
          ...rest,
          ...(scope === undefined ? {} : { scope: scope }),
          ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
        });
        return { user: user };
      },
    );

    app.delete(
      '/users/:id',
      { config: { access: 'admin', audit: 'user.deleted' }, schema: { params: Id } },
      (req) => {
        const target = auth.users.get(req.params.id);
        if (target) req.auditTarget = `${target.id} (${target.username})`;
        return { user: auth.users.delete(req.params.id) };
      },
    );

    app.get('/audit', { config: { access: 'admin' }, schema: { querystring: AuditQuery } }, (req) => {
      const q = req.query;
      const entries = auth.audit.list({
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        ...(q.from !== undefined ? { fromMs: q.from } : {}),
        ...(q.to !== undefined ? { toMs: q.to } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit: q.limit,
      });
      const last = entries.at(-1);
      return { entries, ...(entries.length === q.limit && last ? { nextBefore: last.seq } : {}) };
    });

    app.get('/audit/verify', { config: { access: 'admin' } }, () => auth.audit.verify());

    if (oidc)
      oidc.register(app, (user, req, reply) => {
        const { id } = auth.startSession(user, req.ip, 'oidc');
        setSessionCookie(reply, req, config, id);
      });
  };
}
