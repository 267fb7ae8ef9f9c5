import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ForbiddenError, SleuthError, UnauthorizedError, isLoopbackHost } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import { LOCAL_PRINCIPAL, actorOf, type AuthService } from './auth-service';
import { scopedStore } from './scoped-store';
import { describeScope, roleAllows, roleFor, type Access, type Principal } from './principal';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs (principal.ts). GET under /api/v1 defaults to read; any other method must say. */
    access?: Access;
    /**
     * The audit log action for this route's requests, e.g. `fix.pull_request`; `none` when the
     * route writes its own entries. Requests to operate and admin routes are audited by default.
     */
    audit?: string;
    /**
     * The route reads data only through `storeFor(req, store)` (or shows none), so principals
     * scoped to some clusters or namespaces may use it; every other route refuses them (403).
     */
    scoped?: boolean;
    /**
     * The route's query parameters are another protocol's (an OAuth callback), not checked against
     * a schema; every other API route refuses parameters it does not name (strict-schemas.ts).
     */
    anyQuery?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /** What the audit entry of this request names as its target, when not the route's `:id`. */
    auditTarget: string | undefined;
  }
}

export const SESSION_COOKIE = 'sleuth_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The route's access: declared, or read for GET under /api/v1, or public for other GETs. */
function accessOf(method: string, url: string, declared: Access | undefined): Access | undefined {
  if (declared !== undefined) return declared;
  if (method === 'GET' || method === 'HEAD') return url.startsWith('/api/') ? 'read' : 'public';
  return undefined;
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The store as the request's principal may see it (scoped-store.ts). */
export function storeFor(req: FastifyRequest, store: Store): Store {
  return scopedStore(store, req.principal?.scope ?? 'all');
}

/** The principal a route handler runs for; the gate guarantees one on every non-public route. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError('this request is not authenticated');
  return req.principal;
}

function hostName(host: string | undefined): string {
  if (!host) return '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/** Whether `origin` (an Origin header) names the host the request was sent to. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Authenticates and authorises every request before its body is read:
 * - every route declares its access; a state-changing route that does not fails at startup;
 * - a bearer token, else the session cookie, makes the principal (401 otherwise);
 * - a session's state-changing request must carry its X-CSRF-Token (403 otherwise);
 * - the role must allow the route (403 naming the role needed);
 * - each principal, and each unauthenticated client address, is rate limited (429 + Retry-After);
 * - with authentication off, only loopback Host names are answered (a DNS-rebinding page cannot
 *   reach the API) and a cross-origin state-changing request is refused.
 * Requests to operate and admin routes, and every refusal, go to the audit log.
 */
export function registerGate(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('auditTarget', undefined);

  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (accessOf(method, route.url, route.config?.access) === undefined) {
        throw new Error(`route ${method} ${route.url} declares no access (config.access)`);
      }
    }
  });

  app.addHook('onRequest', (req, _reply, done) => {
    try {
      admit(req, auth);
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const config = req.routeOptions.config ?? {};
    const access = accessOf(req.method, req.routeOptions.url ?? req.url, config.access);
    const status = reply.statusCode;
    const denied = status === 401 || status === 403;
    if (config.audit === 'none' && !denied) return;
    if (access === 'public' || access === 'ingest' || access === undefined) {
      if (!(denied && req.url.startsWith('/api/'))) return;
    }
    if (!denied && config.audit === undefined && access === 'read') return;
    const route = `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const target = req.auditTarget ?? (typeof params['id'] === 'string' ? params['id'] : undefined);
    auth.audit.append({
      actor: actorOf(req.principal),
      ip: req.ip,
      action: denied ? 'access.denied' : (config.audit ?? route),
      ...(target === undefined ? {} : { target }),
      outcome: denied ? 'denied' : status < 400 ? 'ok' : 'failed',
      details: { route, status, ...(req.principal ? { scope: describeScope(req.principal.scope) } : {}) },
    });
  });
}

/** Sets the request's principal, or throws the 401, 403 or 429 that refuses it. */
function admit(req: FastifyRequest, auth: AuthService): void {
  const access = accessOf(req.method, req.routeOptions.url ?? req.url, req.routeOptions.config?.access);
  if (access === undefined || access === 'public' || access === 'ingest') return;
  req.principal = authenticate(req, auth);
  if (!roleAllows(req.principal.role, access)) {
    throw new ForbiddenError(
      `${req.principal.name} has role ${req.principal.role}; ${req.method} ${req.routeOptions.url ?? req.url} needs ${roleFor(access)}`,
      { role: req.principal.role, needs: roleFor(access) },
    );
  }
  if (req.principal.scope !== 'all' && req.routeOptions.config?.scoped !== true) {
    throw new ForbiddenError(
      `${req.principal.name} may see only ${describeScope(req.principal.scope)}, and ${req.method} ${req.routeOptions.url ?? req.url} does not apply scopes; it needs an unscoped user or token`,
      { scope: req.principal.scope },
    );
  }
}

function authenticate(req: FastifyRequest, auth: AuthService): Principal {
  if (!auth.enabled) {
    const host = hostName(req.headers.host);
    if (!isLoopbackHost(host)) {
      throw new ForbiddenError(
        `authentication is off, so only loopback names are answered (127.0.0.1, localhost, [::1]), not ${host || 'no Host'}`,
      );
    }
    const origin = req.headers.origin;
    if (UNSAFE.has(req.method) && origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      throw new ForbiddenError(`cross-origin request from ${origin} refused`);
    }
    return LOCAL_PRINCIPAL;
  }
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) refuse(req, auth, new UnauthorizedError('Authorization must be "Bearer <API token>"'));
    let p: Principal;
    try {
      p = auth.tokenPrincipal(m[1]!, req.ip);
    } catch (err) {
      refuse(req, auth, err);
    }
    auth.requests.take(`token:${p.id}`);
    return p;
  }
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  const p = cookie === undefined ? undefined : auth.sessionPrincipal(cookie);
  if (!p) {
    refuse(
      req,
      auth,
      new UnauthorizedError(
        cookie === undefined
          ? 'sign in, or send an API token as Authorization: Bearer <token>'
          : 'the session has ended; sign in again',
      ),
    );
  }
  auth.requests.take(`user:${p.id}`);
  if (UNSAFE.has(req.method)) {
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || sent !== p.csrfToken) {
      throw new SleuthError(
        'csrf_failed',
        'this request changes state but carries no valid X-CSRF-Token (GET /api/v1/auth/session gives it)',
        { statusCode: 403 },
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      throw new ForbiddenError(`cross-origin request from ${origin} refused`);
    }
  }
  return p;
}

/**
 * Refuses an unauthenticated request with `err`, counting it against its client address first: an
 * address over its limit gets 429 with Retry-After instead, so credentials cannot be guessed fast.
 */
function refuse(req: FastifyRequest, auth: AuthService, err: unknown): never {
  auth.requests.take(`ip:${req.ip}`);
  throw err;
}
