/**
 * Who is asking, what they may do, and what they may see. Every API request carries one
 * Principal (a signed-in user, an API token, or everyone on this machine when authentication is
 * off); routes declare the Access they need and read data through the principal's Scope.
 */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. public: anyone (health, the UI's files, sign-in). ingest: the route checks
 * its own sender credentials (agent tokens, receiver secrets). read: viewer. operate: operator
 * (investigations, fixes, simulator faults). admin: settings, tokens, users, the audit log.
 */
export type Access = 'public' | 'ingest' | 'read' | 'operate' | 'admin';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const NEEDS: Record<'read' | 'operate' | 'admin', Role> = {
  read: 'viewer',
  operate: 'operator',
  admin: 'admin',
};

/** The role an access level needs. */
export function roleFor(access: 'read' | 'operate' | 'admin'): Role {
  return NEEDS[access];
}

export function roleAllows(role: Role, access: Access): boolean {
  if (access === 'public' || access === 'ingest') return true;
  return RANK[role] >= RANK[NEEDS[access]];
}

export function higherRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A cluster, or one namespace of it. */
export interface Grant {
  cluster: string;
  namespace?: string;
}

/** Everything, or only the places granted. An empty list sees nothing. */
export type Scope = 'all' | readonly Grant[];

export interface Principal {
  kind: 'user' | 'token' | 'local';
  /** User id, token id, or `local`. */
  id: string;
  /** What the audit log and the UI show: a user name, a token's name. */
  name: string;
  role: Role;
  scope: Scope;
  /** For a user signed in through the UI: the session's anti-forgery token. */
  csrfToken?: string;
}

/**
 * Whether `scope` covers data of `cluster` / `namespace`. Data without a namespace (nodes,
 * persistent volumes, cluster-level incidents) needs a grant of the whole cluster; data whose
 * cluster is unknown needs `all`.
 */
export function inScope(scope: Scope, cluster: string | undefined, namespace?: string): boolean {
  if (scope === 'all') return true;
  if (cluster === undefined) return false;
  return scope.some((g) => g.cluster === cluster && (g.namespace === undefined || g.namespace === namespace));
}

/** Whether `inner` sees nothing `outer` does not: a token or user may be given no more than its maker has. */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  if (outer === 'all') return true;
  if (inner === 'all') return false;
  return inner.every((g) => inScope(outer, g.cluster, g.namespace));
}

/** The union of several scopes (a user in several mapped groups). */
export function unionScope(scopes: readonly Scope[]): Scope {
  if (scopes.some((s) => s === 'all')) return 'all';
  const seen = new Map<string, Grant>();
  for (const s of scopes as readonly (readonly Grant[])[]) {
    for (const g of s) seen.set(`${g.cluster}\u0000${g.namespace ?? ''}`, g);
  }
  return [...seen.values()];
}

/** `prod-eu/shop, staging` for messages and the audit log. */
export function describeScope(scope: Scope): string {
  if (scope === 'all') return 'all clusters';
  if (scope.length === 0) return 'nothing';
  return scope.map((g) => (g.namespace === undefined ? g.cluster : `${g.cluster}/${g.namespace}`)).join(', ');
}
