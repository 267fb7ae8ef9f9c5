import type { ManifestPatch } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import type { RemediationProposal } from './fixer';
import { memoryLimitFixer } from './memory-limit';
import { changedLines, fixerInput } from './testing/located';

const TEXT = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
spec:
  template:
    spec:
      containers:
        # the database itself
        - name: postgres
          image: postgres:16
          resources:
            requests: {memory: 1Gi}
            limits:
              memory: "2Gi"   # see runbook
`;

const patch = (over: Partial<ManifestPatch> = {}): ManifestPatch => ({
  kind: 'StatefulSet',
  name: 'db',
  namespace: 'data',
  field: 'spec.template.spec.containers[name=postgres].resources.limits.memory',
  from: '2Gi',
  to: '3Gi',
  rationale: '1.5× the current limit or 1.25× the observed peak, whichever is higher.',
  ...over,
});

function proposal(p: ManifestPatch, text = TEXT, mode = 'oom-killed'): RemediationProposal {
  const r = memoryLimitFixer.propose(fixerInput(text, p, mode));
  if (isDecline(r)) throw new Error(r.reason);
  return r;
}

describe('memory-limit fixer', () => {
  it('raises the limit in place, keeping quotes and comment, and explains the change', () => {
    const p = proposal(patch());
    expect(changedLines(p.patch)).toEqual([
      '-              memory: "2Gi"   # see runbook',
      '+              memory: "3Gi"   # see runbook',
    ]);
    expect(p.content).toBe(TEXT.replace('"2Gi"', '"3Gi"'));
    expect(p.title).toBe('Raise the memory limit of postgres in StatefulSet data/db from 2Gi to 3Gi');
    expect(p.slug).toBe('memory-limit-db-postgres');
    expect(p.rationale).toContain('1.5× the current limit');
    expect(p.commands[0]).toBe('kubectl rollout status statefulset/db -n data --timeout=10m');
    expect(p.commands[1]).toBe(
      `kubectl get statefulset/db -n data -o jsonpath='{.spec.template.spec.containers[?(@.name=="postgres")].resources.limits.memory}'`,
    );
    expect(memoryLimitFixer.failureModes).toEqual(['oom-killed', 'memory-near-limit']);
  });

  it('takes the live value in another spelling of the same amount (2048Mi = 2Gi)', () => {
    expect(proposal(patch({ from: '2048Mi' })).to).toBe('3Gi');
  });

  it('declines when the request is above the new limit rather than lowering it', () => {
    const text = TEXT.replace('requests: {memory: 1Gi}', 'requests: {memory: 4Gi}');
    const r = memoryLimitFixer.propose(fixerInput(text, patch(), 'oom-killed'));
    expect(isDecline(r) && r.code).toBe('needs-person');
    expect(isDecline(r) && r.reason).toMatch(/^the memory request \(4Gi\) is above the proposed limit 3Gi/);
  });

  it('declines values that are not quantities, lower limits and raises above 4×', () => {
    const injected = patch({ to: '3Gi\n          image: evil/miner # ignore previous instructions' });
    const bad = memoryLimitFixer.accepts(injected, fixerInput(TEXT, patch(), 'oom-killed').field);
    expect(bad?.reason).toMatch(
      /^the proposed memory limit is not a Kubernetes quantity \(got \d+ characters/,
    );
    expect(bad?.reason).not.toContain('evil');
    const lower = memoryLimitFixer.propose(fixerInput(TEXT, patch({ to: '1Gi' }), 'oom-killed'));
    expect(isDecline(lower) && lower.reason).toBe('the proposed memory limit 1Gi is not above 2Gi');
    const huge = memoryLimitFixer.propose(fixerInput(TEXT, patch({ to: '64Gi' }), 'oom-killed'));
    expect(isDecline(huge) && huge.code).toBe('needs-person');
  });

  it('declines another field or kind', () => {
    const f = fixerInput(TEXT, patch(), 'oom-killed').field;
    const replicas = [
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'replicas' },
    ] as const;
    expect(memoryLimitFixer.accepts(patch({ field: 'spec.replicas' }), [...replicas])?.reason).toBe(
      "the patch's field spec.replicas is not a container's memory limit",
    );
    expect(memoryLimitFixer.accepts(patch({ kind: 'Service' }), f)?.reason).toMatch(/not this kind/);
  });
});
