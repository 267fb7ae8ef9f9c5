import { describe, expect, it } from 'vitest';
import type { ManifestPatch } from '@sleuth/core';
import { RemediationPolicy, fieldPattern } from './policy';

const MEMORY: ManifestPatch = {
  kind: 'Deployment',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.template.spec.containers[name=api].resources.limits.memory',
  from: '512Mi',
  to: '768Mi',
  rationale: 'r',
};

const policy = (over: Partial<ConstructorParameters<typeof RemediationPolicy>[0]> = {}) =>
  new RemediationPolicy({
    fixers: [],
    autoOpen: [],
    kinds: [],
    namespaces: [],
    fields: [],
    autoOpenAfterSeconds: 60,
    ...over,
  });

describe('field patterns', () => {
  it('match a field and what is under it, with * for one segment and [*] for one selector', () => {
    const field = MEMORY.field;
    expect(fieldPattern('spec.template.spec.containers[*].resources.limits.memory').test(field)).toBe(true);
    expect(fieldPattern('spec.template.spec.containers[*].resources').test(field)).toBe(true);
    expect(fieldPattern('spec.template.spec.containers[*].resources.*.memory').test(field)).toBe(true);
    expect(fieldPattern('spec.template.spec.containers[name=api]').test(field)).toBe(true);
    expect(fieldPattern('spec.template.spec.containers[name=web]').test(field)).toBe(false);
    // A prefix of a name is not the name: `resources.limit` does not cover `resources.limits`.
    expect(fieldPattern('spec.template.spec.containers[*].resources.limit').test(field)).toBe(false);
    expect(fieldPattern('spec.maxReplicas').test('spec.maxReplicasX')).toBe(false);
    // Regular-expression characters in a pattern are literal.
    expect(fieldPattern('spec.ports[0].targetPort').test('spec.ports[0].targetPort')).toBe(true);
    expect(fieldPattern('spec.ports[0].targetPort').test('spec.ports[00]xtargetPort')).toBe(false);
  });
});

describe('the remediation policy', () => {
  it('allows everything by default and proposes, never opens', () => {
    expect(policy().decide('memory-limit', MEMORY)).toEqual({ allowed: true, mode: 'propose' });
    expect(policy().autoOpens()).toBe(false);
  });

  it('opens by itself only what autoOpen names', () => {
    const p = policy({ autoOpen: ['memory-limit'] });
    expect(p.decide('memory-limit', MEMORY)).toEqual({ allowed: true, mode: 'auto-open' });
    expect(p.decide('cpu-limit', MEMORY)).toEqual({ allowed: true, mode: 'propose' });
    expect(p.autoOpens()).toBe(true);
  });

  it('refuses with the rule that refused: fixer, kind, namespace, field', () => {
    expect(policy({ fixers: ['probe'] }).decide('memory-limit', MEMORY)).toEqual({
      allowed: false,
      reason: 'the memory-limit fixer is not in remediation.policy.fixers (probe)',
    });
    expect(policy({ kinds: ['StatefulSet'] }).decide('memory-limit', MEMORY)).toMatchObject({
      allowed: false,
      reason: 'fixes to Deployment objects are not in remediation.policy.kinds (StatefulSet)',
    });
    expect(policy({ namespaces: ['payments'] }).decide('memory-limit', MEMORY)).toMatchObject({
      allowed: false,
      reason: 'fixes in namespace shop are not in remediation.policy.namespaces (payments)',
    });
    const { namespace: _ns, ...clusterScoped } = MEMORY;
    expect(policy({ namespaces: ['shop'] }).decide('memory-limit', clusterScoped)).toMatchObject({
      allowed: false,
    });
    expect(policy({ fields: ['spec.maxReplicas'] }).decide('memory-limit', MEMORY)).toMatchObject({
      allowed: false,
      reason: `the field ${MEMORY.field} is not in remediation.policy.fields`,
    });
    expect(
      policy({ fields: ['spec.maxReplicas', 'spec.template.spec.containers[*].resources'] }).decide(
        'memory-limit',
        MEMORY,
      ),
    ).toEqual({ allowed: true, mode: 'propose' });
  });
});
