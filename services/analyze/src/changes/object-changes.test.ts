import { describe, expect, it } from 'vitest';
import type { ObjectSnapshot } from '@sleuth/core';
import { describeChange } from './object-changes';

const snap = (object: Record<string, unknown>, deleted = false): ObjectSnapshot => ({
  ref: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'api' },
  apiVersion: 'apps/v1',
  timeMs: 1,
  deleted,
  object,
});
const deployment = (
  image: string,
  replicas: number,
  generation: number,
  more: Record<string, unknown> = {},
): Record<string, unknown> => ({
  metadata: { generation },
  spec: { replicas, template: { spec: { containers: [{ name: 'api', image }] } }, ...more },
  status: { readyReplicas: 1 },
});

describe('describeChange', () => {
  it('names image, replica and ConfigMap data changes, other spec changes by generation', () => {
    const v1 = snap(deployment('api:1.0', 2, 3));
    expect(describeChange(v1, snap(deployment('api:1.1', 2, 4)))).toEqual([
      'image of container api: api:1.0 → api:1.1',
    ]);
    expect(describeChange(v1, snap(deployment('api:1.0', 5, 4)))).toEqual(['replicas 2 → 5']);
    expect(describeChange(v1, snap(deployment('api:1.0', 2, 4, { paused: true })))).toEqual([
      'spec changed (generation 3 → 4)',
    ]);
    expect(
      describeChange(snap({ data: { a: '1', b: '2' } }), snap({ data: { a: '1', b: '3', c: '4' } })),
    ).toEqual(['data changed (b, c)']);
  });

  it('says created and deleted, and nothing for a status-only change', () => {
    expect(describeChange(undefined, snap(deployment('api:1.0', 2, 3)))).toEqual(['created']);
    expect(describeChange(snap(deployment('api:1.0', 2, 3)), snap({}, true))).toEqual(['deleted']);
    const v1 = snap(deployment('api:1.0', 2, 3));
    expect(
      describeChange(v1, snap({ ...deployment('api:1.0', 2, 3), status: { readyReplicas: 2 } })),
    ).toEqual([]);
  });
});
