import type { ManifestPatch, RemediationConfig } from '@sleuth/core';

/** What the policy says of one fix: refused (with the rule), proposed only, or opened by Sleuth. */
export type PolicyDecision =
  { allowed: false; reason: string } | { allowed: true; mode: 'propose' | 'auto-open' };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A field pattern as a RegExp over field paths: `*` stands for one name segment, `[*]` for one
 * list selector (`[name=api]`, `[0]`); the pattern matches the field itself and anything under it.
 */
export function fieldPattern(pattern: string): RegExp {
  const parts = pattern.split(/(\[\*\]|\*)/).map((p) => {
    if (p === '[*]') return '\\[[^\\]]*\\]';
    if (p === '*') return '[^.\\[\\]]+';
    return escapeRegExp(p);
  });
  return new RegExp(`^${parts.join('')}(?:$|[.[])`);
}

/**
 * `remediation.policy` applied to a fix: which fixers may run, on which kinds, namespaces and
 * fields, and which open their pull requests without a person asking.
 */
export class RemediationPolicy {
  private readonly fields: RegExp[];

  constructor(
    private readonly policy: Readonly<{
      [K in keyof RemediationConfig['policy']]: Readonly<RemediationConfig['policy'][K]>;
    }>,
  ) {
    this.fields = policy.fields.map(fieldPattern);
  }

  /** True when some fixer's pull requests are opened without a person asking. */
  autoOpens(): boolean {
    return this.policy.autoOpen.length > 0;
  }

  decide(fixer: string, patch: ManifestPatch): PolicyDecision {
    const p = this.policy;
    if (p.fixers.length > 0 && !p.fixers.includes(fixer))
      return {
        allowed: false,
        reason: `the ${fixer} fixer is not in remediation.policy.fixers (${p.fixers.join(', ')})`,
      };
    if (p.kinds.length > 0 && !p.kinds.includes(patch.kind))
      return {
        allowed: false,
        reason: `fixes to ${patch.kind} objects are not in remediation.policy.kinds (${p.kinds.join(', ')})`,
      };
    if (p.namespaces.length > 0 && !(patch.namespace !== undefined && p.namespaces.includes(patch.namespace)))
      return {
        allowed: false,
        reason: `fixes in namespace ${patch.namespace ?? '(cluster-scoped)'} are not in remediation.policy.namespaces (${p.namespaces.join(', ')})`,
      };
    if (this.fields.length > 0 && !this.fields.some((re) => re.test(patch.field)))
      return { allowed: false, reason: `the field ${patch.field} is not in remediation.policy.fields` };
    return { allowed: true, mode: p.autoOpen.includes(fixer) ? 'auto-open' : 'propose' };
  }
}
