import type { Scope } from '../../lib/api/auth';

/**
 * Scopes as an admin types them: "all clusters", or one grant a line, `cluster` for a whole
 * cluster or `cluster/namespace` for one namespace of it.
 */
export interface ScopeInput {
  all: boolean;
  /** One grant a line; read only when `all` is false. */
  lines: string;
}

export type ScopeParse = { ok: true; scope: Scope } | { ok: false; error: string };

/** How a scope reads in a table: `all clusters`, `nothing`, `prod-eu, prod-us/shop`. */
export function describeScope(scope: Scope): string {
  if (scope === 'all') return 'all clusters';
  if (scope.length === 0) return 'nothing';
  return scope.map(grantText).join(', ');
}

function grantText(g: { cluster: string; namespace?: string }): string {
  return g.namespace === undefined ? g.cluster : `${g.cluster}/${g.namespace}`;
}

/** The form's starting value for an existing scope. */
export function scopeInput(scope: Scope): ScopeInput {
  if (scope === 'all') return { all: true, lines: '' };
  return { all: false, lines: scope.map(grantText).join('\n') };
}

/** The scope the form says, or what is wrong with a line (named by its number). */
export function parseScope(input: ScopeInput): ScopeParse {
  if (input.all) return { ok: true, scope: 'all' };
  const grants: { cluster: string; namespace?: string }[] = [];
  const seen = new Set<string>();
  const lines = input.lines.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const parts = line.split('/').map((p) => p.trim());
    const [cluster, namespace] = parts;
    if (parts.length > 2 || !cluster || namespace === '') {
      return {
        ok: false,
        error: `Scope line ${i + 1} ("${line}"): write a cluster, or a cluster and a namespace as cluster/namespace.`,
      };
    }
    const key = `${cluster}/${namespace ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    grants.push(namespace === undefined ? { cluster } : { cluster, namespace });
  }
  if (grants.length === 0) {
    return { ok: false, error: 'Name at least one cluster (or cluster/namespace), or choose all clusters.' };
  }
  return { ok: true, scope: grants };
}
