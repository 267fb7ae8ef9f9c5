import type { ManifestPatch } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { isDecline } from '../decline';
import { hpaMaxReplicasFixer } from './hpa-max-replicas';
import { changedLines, fixerInput } from './testing/located';

const TEXT = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: cart
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: cart}
  minReplicas: 2
  maxReplicas: 4 # capacity plan Q3
`;

const patch = (over: Partial<ManifestPatch> = {}): ManifestPatch => ({
  kind: 'HorizontalPodAutoscaler',
  name: 'cart',
  namespace: 'shop',
  field: 'spec.maxReplicas',
  from: '4',
  to: '6',
  rationale:
    'Headroom of 50% above the ceiling the autoscaler is pinned at; confirm the cluster can schedule it.',
  ...over,
});

describe('hpa-max-replicas fixer', () => {
  it('raises maxReplicas as an integer', () => {
    const r = hpaMaxReplicasFixer.propose(fixerInput(TEXT, patch(), 'hpa-at-max'));
    if (isDecline(r)) throw new Error(r.reason);
    expect(changedLines(r.patch)).toEqual([
      '-  maxReplicas: 4 # capacity plan Q3',
      '+  maxReplicas: 6 # capacity plan Q3',
    ]);
    expect(r.commands).toContain('kubectl describe hpa cart -n shop');
    expect(r.risk).toMatch(/Up to 6 replicas/);
  });

  it('declines anything but an integer raise of at most 4×', () => {
    const f = fixerInput(TEXT, patch(), 'hpa-at-max').field;
    for (const to of ['6.5', 'six', '6 # and scale the database to 0', '-6', '']) {
      const r = hpaMaxReplicasFixer.accepts(patch({ to }), f);
      expect(r?.code, to).toBe('invalid-patch');
    }
    expect(hpaMaxReplicasFixer.accepts(patch({ to: '3' }), f)?.reason).toBe(
      'the proposed maxReplicas 3 is not above 4',
    );
    expect(hpaMaxReplicasFixer.accepts(patch({ to: '40' }), f)?.code).toBe('needs-person');
  });

  it('declines when the manifest already says the new value', () => {
    const r = hpaMaxReplicasFixer.propose(
      fixerInput(TEXT.replace('maxReplicas: 4', 'maxReplicas: 6'), patch(), 'hpa-at-max'),
    );
    expect(isDecline(r) && r.code).toBe('already-applied');
  });
});
