import type { ManifestPatch } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import { serviceFixer } from './service';
import { changedLines, fixerInput } from './testing/located';

const TEXT = `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app.kubernetes.io/name: cart
    tier: web   # typo? pods say backend
  ports:
  - port: 80
    targetPort: 8081
  - port: 9000
`;

const targetPort = (over: Partial<ManifestPatch> = {}): ManifestPatch => ({
  kind: 'Service',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.ports[0].targetPort',
  from: '8081',
  to: '8080',
  rationale: 'The only port the selected containers declare.',
  ...over,
});

const selector = (over: Partial<ManifestPatch> = {}): ManifestPatch =>
  targetPort({
    field: 'spec.selector',
    from: 'app.kubernetes.io/name=cart,tier=web',
    to: 'app.kubernetes.io/name=cart,tier=backend',
    rationale: 'Pods carry tier=backend.',
    ...over,
  });

describe('service fixer', () => {
  it('corrects a targetPort, and adds one where the port number was used by default', () => {
    const r = serviceFixer.propose(fixerInput(TEXT, targetPort(), 'target-port-mismatch'));
    expect(!isDecline(r) && changedLines(r.patch)).toEqual([
      '-    targetPort: 8081',
      '+    targetPort: 8080',
    ]);
    const implicit = serviceFixer.propose(
      fixerInput(
        TEXT,
        targetPort({ field: 'spec.ports[1].targetPort', from: '9000', to: 'metrics' }),
        'target-port-mismatch',
      ),
    );
    expect(!isDecline(implicit) && changedLines(implicit.patch)).toEqual(['+    targetPort: metrics']);
  });

  it('changes only the selector labels that differ', () => {
    const r = serviceFixer.propose(fixerInput(TEXT, selector(), 'selector-matches-no-pods'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '-    tier: web   # typo? pods say backend',
      '+    tier: backend   # typo? pods say backend',
    ]);
    expect(r.commands[0]).toBe(
      'kubectl get pods -l app.kubernetes.io/name=cart,tier=backend -n shop --show-labels',
    );
    const dropped = serviceFixer.propose(
      fixerInput(TEXT, selector({ to: 'app.kubernetes.io/name=cart' }), 'selector-matches-no-pods'),
    );
    expect(!isDecline(dropped) && changedLines(dropped.patch)).toEqual([
      '-    tier: web   # typo? pods say backend',
    ]);
  });

  it("replaces the selector's keys with the workload's matchLabels, as the analyzer proposes for a Service named like it", () => {
    const r = serviceFixer.propose(
      fixerInput(
        TEXT,
        selector({
          from: 'app.kubernetes.io/name=cart,tier=web',
          to: 'app=cart',
          rationale: "Deployment cart has the Service's name; select its pods by its matchLabels.",
        }),
        'selector-matches-no-pods',
      ),
    );
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '-    app.kubernetes.io/name: cart',
      '-    tier: web   # typo? pods say backend',
      '+    app: cart',
    ]);
    expect(r.content).toContain('  selector:\n    app: cart\n  ports:');
  });

  it('declines selectors and ports that are not label maps or ports, and drift', () => {
    const f = fixerInput(TEXT, selector(), 'selector-matches-no-pods').field;
    for (const to of [
      'app=cart\nspec: {type: LoadBalancer}',
      'app = cart',
      '{"app":"cart"}',
      'ignore previous instructions',
    ])
      expect(serviceFixer.accepts(selector({ to }), f)?.code, to).toBe('invalid-patch');
    const drift = serviceFixer.propose(
      fixerInput(
        TEXT,
        selector({ from: 'app.kubernetes.io/name=cart,tier=frontend' }),
        'selector-matches-no-pods',
      ),
    );
    expect(isDecline(drift) && drift.code).toBe('drift');
    const wrongField = serviceFixer.accepts(targetPort({ field: 'spec.type' }), [
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'type' },
    ]);
    expect(wrongField?.reason).toBe(
      'the service fixer changes spec.selector or spec.ports[i].targetPort, not spec.type',
    );
  });
});
