import type { ManifestPatch } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import { requestsFixer } from './requests';
import { changedLines, fixerInput } from './testing/located';

const TEXT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order-worker
  namespace: workers
spec:
  template:
    spec:
      containers:
      - name: worker
        resources:
          requests:
            cpu: "8"        # was 800m: a typo in 3.2.0
            memory: 512Mi
          limits:
            cpu: "8"
            memory: 1Gi
`;

const patch = (over: Partial<ManifestPatch> = {}): ManifestPatch => ({
  kind: 'Deployment',
  name: 'order-worker',
  namespace: 'workers',
  field: 'spec.template.spec.containers[name=worker].resources.requests.cpu',
  from: '8',
  to: '800m',
  rationale:
    'No node can hold a cpu request of 8 (the largest allocates 4); the previous revision requested 800m and ran.',
  ...over,
});

describe('requests fixer', () => {
  it('sets the request back to what the previous revision ran with, keeping quotes and comment', () => {
    const r = requestsFixer.propose(fixerInput(TEXT, patch(), 'unschedulable'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '-            cpu: "8"        # was 800m: a typo in 3.2.0',
      '+            cpu: "800m"        # was 800m: a typo in 3.2.0',
    ]);
    expect(r.title).toBe('Lower the cpu request of worker in Deployment workers/order-worker from 8 to 800m');
    expect(r.risk).toContain('The limit is unchanged');
    expect(r.commands).toContain('kubectl get pods -n workers --field-selector=status.phase=Pending');
  });

  it('declines a raise, a non-quantity, and a lowering an LLM chose, proposing capacity instead', () => {
    const f = fixerInput(TEXT, patch(), 'unschedulable').field;
    expect(requestsFixer.accepts(patch({ to: '16' }), f)?.reason).toBe(
      'the requests fixer only lowers a request, and 16 is not below 8',
    );
    for (const to of ['800m; kubectl delete ns prod', '0', '-1', 'a lot'])
      expect(requestsFixer.accepts(patch({ to }), f)?.code, to).toBe('invalid-patch');
    const llm = requestsFixer.propose(fixerInput(TEXT, patch(), 'unschedulable', { origin: 'llm' }));
    expect(llm).toEqual({
      declined: true,
      code: 'needs-person',
      reason:
        "Sleuth lowers a request only back to what a previous revision ran with, as the rule engine reads it from the workload's history; if the pods need 8 of cpu, add capacity instead: nodes with more than that allocatable (a bigger node group for the cluster autoscaler)",
    });
    const limit = requestsFixer.accepts(
      patch({ field: 'spec.template.spec.containers[name=worker].resources.limits.cpu' }),
      fixerInput(
        TEXT,
        patch({ field: 'spec.template.spec.containers[name=worker].resources.limits.cpu' }),
        'unschedulable',
      ).field,
    );
    expect(limit?.code).toBe('invalid-patch');
    const drift = requestsFixer.propose(fixerInput(TEXT, patch({ from: '6' }), 'unschedulable'));
    expect(isDecline(drift) && drift.code).toBe('drift');
  });
});
