import { getJson, sendJson, type RequestOptions } from './http';
import type { Role, Scope } from './auth';

/*
 * Users, API tokens and the audit log: the admin routes of services/server/src/routes/auth.ts.
 * The answer types mirror `User` (auth/users.ts), `ApiToken` (auth/tokens.ts) and `AuditEntry`
 * (auth/audit-log.ts) of the server, which api-types does not export yet.
 */

/** A user as `GET /users` lists it: never a password hash. */
export interface AdminUser {
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

/** An API token as `GET /tokens` lists it: never its secret. */
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

export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  seq: number;
  atMs: number;
  actor: { kind: 'user' | 'token' | 'local' | 'anonymous' | 'system'; id?: string; name?: string };
  ip?: string;
  /** Dotted verb such as `token.created`, `user.updated`, `access.denied`. */
  action: string;
  target?: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  hash: string;
}

export interface NewUser {
  username: string;
  displayName?: string;
  /** Without one, the user can sign in only through single sign-on. */
  password?: string;
  role: Role;
  scope: Scope;
}

/** What `PATCH /users/:id` changes; a change ends the user's sessions. */
export interface UserChange {
  displayName?: string;
  password?: string;
  role?: Role;
  scope?: Scope;
  disabled?: boolean;
}

export interface NewToken {
  name: string;
  role: Role;
  scope: Scope;
  expiresInDays: number;
}

/** `POST /tokens`: the token and its secret, which no later answer shows again. */
export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

export interface AuditFilters {
  /** `token` matches `token.created` and `token.revoked`; `token.created` only itself. */
  action?: string | undefined;
  /** The actor's id: a user id, a token id, or `local`. */
  actor?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
  /** The `nextBefore` of the previous page. */
  before?: number | undefined;
  limit?: number | undefined;
}

/** Newest first; `nextBefore` when there may be more. */
export interface AuditPage {
  entries: AuditEntry[];
  nextBefore?: number;
}

/** `GET /audit/verify`: the chain recomputed from the first entry; `brokenAt` is the first bad seq. */
export interface AuditVerification {
  entries: number;
  intact: boolean;
  brokenAt?: number;
}

const byId = (kind: string, id: string): string => `/${kind}/${encodeURIComponent(id)}`;

export async function listUsers(opts?: RequestOptions): Promise<AdminUser[]> {
  return (await getJson<{ users: AdminUser[] }>('/users', {}, opts)).users;
}

export async function createUser(user: NewUser): Promise<AdminUser> {
  return (await sendJson<{ user: AdminUser }>('POST', '/users', user)).user;
}

export async function updateUser(id: string, change: UserChange): Promise<AdminUser> {
  return (await sendJson<{ user: AdminUser }>('PATCH', byId('users', id), change)).user;
}

export async function deleteUser(id: string): Promise<AdminUser> {
  return (await sendJson<{ user: AdminUser }>('DELETE', byId('users', id), {})).user;
}

/** Newest first, revoked and expired ones included. */
export async function listTokens(opts?: RequestOptions): Promise<ApiToken[]> {
  return (await getJson<{ tokens: ApiToken[] }>('/tokens', {}, opts)).tokens;
}

export function createToken(token: NewToken): Promise<CreatedToken> {
  return sendJson<CreatedToken>('POST', '/tokens', token);
}

/** Revokes for good; revoking twice keeps the first time. */
export async function revokeToken(id: string): Promise<ApiToken> {
  return (await sendJson<{ token: ApiToken }>('DELETE', byId('tokens', id), {})).token;
}

export function listAudit(filters: AuditFilters = {}, opts?: RequestOptions): Promise<AuditPage> {
  return getJson<AuditPage>('/audit', { ...filters }, opts);
}

export function verifyAudit(opts?: RequestOptions): Promise<AuditVerification> {
  return getJson<AuditVerification>('/audit/verify', {}, opts);
}
