import { describe, expect, it } from 'vitest';
import type { Anomaly, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import { buildTopology } from '../topology/build';
import { Correlator, DEFAULT_CORRELATOR_OPTIONS } from './correlator';

const C = 'prod-eu';
const T0 = Date.UTC(2026, 10, 20, 10);
const MIN = 60_000;

const snap = (
  kind: string,
  name: string,
  namespace: string | undefined,
  extra: Record<string, unknown> = {},
) =>
  ({
    ref: { cluster: C, kind, name, ...(namespace === undefined ? {} : { namespace }) },
    apiVersion: 'v1',
    timeMs: 0,
    deleted: false,
    object: { kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...extra },
  }) satisfies ObjectSnapshot;

const owned = (
  kind: string,
  name: string,
  ns: string,
  owner: [string, string],
  extra: Record<string, unknown> = {},
) =>
  snap(kind, name, ns, {
    metadata: {
      name,
      namespace: ns,
      ownerReferences: [{ kind: owner[0], name: owner[1], controller: true }],
      ...extra,
    },
  });

const pod = (name: string, rs: string, app: string, node: string) =>
  snap('Pod', name, 'shop', {
    metadata: {
      name,
      namespace: 'shop',
      labels: { app },
      ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }],
    },
    spec: { nodeName: node },
  });

/** checkout (2 pods on node-a) calls payments (1 pod on node-b); catalog (node-b) calls nobody. */
const graph = buildTopology(
  C,
  [
    snap('Node', 'node-a', undefined),
    snap('Node', 'node-b', undefined),
    snap('Deployment', 'checkout', 'shop'),
    owned('ReplicaSet', 'checkout-7d9f', 'shop', ['Deployment', 'checkout']),
    pod('checkout-7d9f-a', 'checkout-7d9f', 'checkout', 'node-a'),
    pod('checkout-7d9f-b', 'checkout-7d9f', 'checkout', 'node-a'),
    snap('Deployment', 'payments', 'shop'),
    owned('ReplicaSet', 'payments-55c4', 'shop', ['Deployment', 'payments']),
    pod('payments-55c4-a', 'payments-55c4', 'payments', 'node-b'),
    snap('Deployment', 'catalog', 'shop'),
    owned('ReplicaSet', 'catalog-1a2b', 'shop', ['Deployment', 'catalog']),
    pod('catalog-1a2b-a', 'catalog-1a2b', 'catalog', 'node-b'),
    snap('Service', 'checkout', 'shop', { spec: { selector: { app: 'checkout' } } }),
    snap('Service', 'payments', 'shop', { spec: { selector: { app: 'payments' } } }),
    snap('Service', 'catalog', 'shop', { spec: { selector: { app: 'catalog' } } }),
  ],
  [
    {
      from: { service: 'checkout', cluster: C, namespace: 'shop' },
      to: { service: 'payments', cluster: C, namespace: 'shop' },
      calls: 100,
      errors: 0,
      meanDurationMs: 20,
    },
  ],
);

let n = 0;
function anomaly(
  resource: Omit<ResourceRef, 'cluster'>,
  atMin: number,
  over: Partial<Anomaly> = {},
): Anomaly {
  n++;
  return {
    id: `anm_${n}`,
    detector: 'k8s-state',
    resource: { cluster: C, ...resource },
    signal: { kind: 'anomaly', id: `x${n}` },
    onsetMs: T0 + atMin * MIN,
    lastSeenMs: T0 + atMin * MIN,
    score: 0.9,
    title: `trouble ${n}`,
    explanation: 'seen',
    ...over,
  };
}

const correlator = () => new Correlator(() => Promise.resolve(graph));

describe('Correlator', () => {
  it('makes one incident of one workload failing in many places and through many detectors', async () => {
    const c = correlator();
    await c.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 0)]);
    await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-b' }, 1, { detector: 'k8s-events' }),
      anomaly({ namespace: 'shop', kind: 'Deployment', name: 'checkout' }, 2, { detector: 'k8s-state' }),
    ]);
    expect(c.incidentCount).toBe(1);
  });

  it('keeps an unrelated workload in its own incident, and joins a caller to its failing dependency', async () => {
    const c = correlator();
    const [db] = await c.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'payments-55c4-a' }, 0)]);
    // The caller's errors a minute later: one call away, same incident.
    const [caller] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Deployment', name: 'checkout' }, 1, { detector: 'traces' }),
    ]);
    expect(caller!.id).toBe(db!.id);
    expect(caller!.resources.map((r) => r.name)).toEqual(['payments-55c4-a', 'checkout']);
    // catalog shares payments' node but not its trouble: a distractor, its own incident.
    const [other] = await c.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'catalog-1a2b-a' }, 2)]);
    expect(other!.id).not.toBe(db!.id);
    expect(c.incidentCount).toBe(2);
  });

  it('puts a node going NotReady and the pods it takes down in one incident', async () => {
    const c = correlator();
    const [node] = await c.observe([anomaly({ kind: 'Node', name: 'node-a' }, 0)]);
    const [pods] = await c.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-b' }, 1)]);
    expect(pods!.id).toBe(node!.id);
  });

  it('resolves an incident made only of alerts when the last alert resolves, not after the quiet', async () => {
    const c = correlator();
    const ref = { namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' };
    const a = anomaly(ref, 0, { detector: 'alert', score: 0.6 });
    const b = anomaly(ref, 1, { detector: 'alert', score: 0.6 });
    const [opened] = await c.observe([a, b]);
    expect(opened!.status).toBe('open');
    const [half] = await c.observe([{ ...a, endMs: T0 + 3 * MIN, lastSeenMs: T0 + 3 * MIN }]);
    expect(half!.status).toBe('open');
    const [done] = await c.observe([{ ...b, endMs: T0 + 4 * MIN, lastSeenMs: T0 + 4 * MIN }]);
    expect(done).toMatchObject({ status: 'resolved', resolvedMs: T0 + 4 * MIN });
  });

  it('keeps an incident with a detector anomaly open for the quiet after its alert resolves', async () => {
    const c = correlator();
    const ref = { namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' };
    const alert = anomaly(ref, 0, { detector: 'alert' });
    await c.observe([alert, anomaly(ref, 1, { endMs: T0 + 2 * MIN })]);
    const [after] = await c.observe([{ ...alert, endMs: T0 + 3 * MIN, lastSeenMs: T0 + 3 * MIN }]);
    expect(after!.status).toBe('open');
    expect(c.tick(T0 + 3 * MIN + DEFAULT_CORRELATOR_OPTIONS.resolveAfterMs)).toHaveLength(1);
  });

  it('puts anomalies of one group in one incident whatever their resources', async () => {
    const c = correlator();
    const [first] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 0, {
        detector: 'alert',
        group: 'g1',
      }),
    ]);
    const [second] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'catalog-1a2b-a' }, 1, {
        detector: 'alert',
        group: 'g1',
      }),
    ]);
    const [third] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'catalog-1a2b-a' }, 1, {
        detector: 'alert',
        group: 'g2',
      }),
    ]);
    expect(second!.id).toBe(first!.id);
    // Not the group, but the same workload as the group's second alert: topology still joins it.
    expect(third!.id).toBe(first!.id);
    const [apart] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Deployment', name: 'payments' }, 2, {
        detector: 'alert',
        group: 'g3',
      }),
    ]);
    // payments is called by checkout: one call away joins an open incident.
    expect(apart!.id).toBe(first!.id);
  });

  it('resolves once every anomaly has ended and the quiet lasted, and reopens the same incident', async () => {
    const c = correlator();
    const a = anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 0);
    const [opened] = await c.observe([a]);
    expect(opened).toMatchObject({ status: 'open', severity: 'high' });
    await c.observe([{ ...a, endMs: T0 + 3 * MIN, lastSeenMs: T0 + 3 * MIN }]);
    expect(c.tick(T0 + 4 * MIN)).toEqual([]); // hysteresis: not yet
    const [resolved] = c.tick(T0 + 3 * MIN + DEFAULT_CORRELATOR_OPTIONS.resolveAfterMs);
    expect(resolved).toMatchObject({ id: opened!.id, status: 'resolved' });
    const [again] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-b' }, 20),
    ]);
    expect(again).toMatchObject({ id: opened!.id, status: 'open' });
    expect(again!.resolvedMs).toBeUndefined();
  });

  it('puts a claim stuck Pending and the pod waiting on it in one incident, whichever shows first', async () => {
    const withClaim = buildTopology(C, [
      snap('StatefulSet', 'db', 'shop'),
      snap('PersistentVolumeClaim', 'data-db-1', 'shop'),
      snap('Pod', 'db-1', 'shop', {
        metadata: {
          name: 'db-1',
          namespace: 'shop',
          ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }],
        },
        spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } }] },
      }),
    ]);
    // The claim was seen before the pod that uses it was in the topology.
    let graphNow = buildTopology(C, [snap('PersistentVolumeClaim', 'data-db-1', 'shop')]);
    const c = new Correlator(() => Promise.resolve(graphNow));
    const [claim] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'PersistentVolumeClaim', name: 'data-db-1' }, 0),
    ]);
    graphNow = withClaim;
    const [pod] = await c.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'db-1' }, 1)]);
    expect(pod!.id).toBe(claim!.id);
  });

  it('opens no incident for one learned anomaly alone; a corroborating one opens it with both', async () => {
    const c = correlator();
    const slow = anomaly({ namespace: 'shop', kind: 'Deployment', name: 'catalog' }, 0, {
      detector: 'traces',
      score: 1,
    });
    expect(await c.observe([slow])).toEqual([]);
    expect(c.incidentCount).toBe(0);
    // Faint ones are not enough, however many, nor a faint one beside a strong one.
    const faint = (atMin: number) =>
      anomaly({ namespace: 'shop', kind: 'Deployment', name: 'payments' }, atMin, {
        detector: 'metrics',
        score: 0.3,
      });
    expect(await c.observe([faint(10), faint(11), faint(12)])).toEqual([]);
    expect(
      await c.observe([
        anomaly({ namespace: 'shop', kind: 'Deployment', name: 'payments' }, 11, {
          detector: 'traces',
          score: 0.9,
        }),
      ]),
    ).toEqual([]);
    // catalog's pod's memory, a minute after its slow requests: the same unit, corroborated.
    const memory = anomaly({ namespace: 'shop', kind: 'Pod', name: 'catalog-1a2b-a' }, 1, {
      detector: 'metrics',
      score: 0.6,
    });
    const [opened] = await c.observe([memory]);
    expect(opened).toMatchObject({ status: 'open', startMs: slow.onsetMs });
    expect(opened!.anomalyIds.sort()).toEqual([slow.id, memory.id].sort());
  });

  it('lets a waiting anomaly join the incident a Kubernetes fact opens on its unit', async () => {
    const c = correlator();
    const errors = anomaly({ namespace: 'shop', kind: 'Deployment', name: 'checkout' }, 0, {
      detector: 'logs',
    });
    expect(await c.observe([errors])).toEqual([]);
    const [opened] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 1),
    ]);
    expect(opened!.anomalyIds).toContain(errors.id);
  });

  it('does not reopen a resolved incident for trouble one call away: that is a new incident', async () => {
    const c = correlator();
    const a = anomaly({ namespace: 'shop', kind: 'Pod', name: 'payments-55c4-a' }, 0);
    const [opened] = await c.observe([a]);
    await c.observe([{ ...a, endMs: T0 + 2 * MIN, lastSeenMs: T0 + 2 * MIN }]);
    c.tick(T0 + 2 * MIN + DEFAULT_CORRELATOR_OPTIONS.resolveAfterMs);
    // checkout calls payments: joined while payments was failing, not after it recovered.
    const [caller] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Deployment', name: 'checkout' }, 15),
    ]);
    expect(caller!.id).not.toBe(opened!.id);
    expect(caller!.status).toBe('open');
  });

  it('starts a new incident for trouble long after the last one, and groups by resource without a topology', async () => {
    const c = correlator();
    const [first] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 0),
    ]);
    const [later] = await c.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 120),
    ]);
    expect(later!.id).not.toBe(first!.id);
    const blind = new Correlator(() => Promise.reject(new Error('store down')));
    const [x] = await blind.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'p1' }, 0)]);
    const [y] = await blind.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'p1' }, 1)]);
    const [z] = await blind.observe([anomaly({ namespace: 'shop', kind: 'Pod', name: 'p2' }, 1)]);
    expect(y!.id).toBe(x!.id);
    expect(z!.id).not.toBe(x!.id);
  });

  it('takes back open incidents after a restart: the same trouble joins them, no duplicate', async () => {
    const before = correlator();
    const a = anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-a' }, 0);
    const [open] = await before.observe([a]);
    const after = correlator();
    await after.restore([open!]);
    // The same anomaly id re-detected, and a sibling pod's trouble: both join.
    const [same] = await after.observe([{ ...a, lastSeenMs: T0 + 2 * MIN }]);
    const [sibling] = await after.observe([
      anomaly({ namespace: 'shop', kind: 'Pod', name: 'checkout-7d9f-b' }, 3),
    ]);
    expect(same!.id).toBe(open!.id);
    expect(sibling!.id).toBe(open!.id);
    expect(after.incidentCount).toBe(1);
    expect(sibling!.severity).toBe('high');
  });
});
