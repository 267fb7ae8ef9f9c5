import { describe, expect, it } from 'vitest';
import { RootCause, type Incident } from '@sleuth/core';
import { MemoryContext } from '../analyzers/memory-context';
import { NOW, anomaly, logLine, ref, snap } from '../analyzers/testing/kube';
import { buildTopology } from '../topology/build';
import { diagnoseIncident } from './diagnose-incident';

const POD = ref('Pod', 'checkout-2-a');
const DEPLOY = ref('Deployment', 'checkout');
const template = {
  metadata: { labels: { app: 'checkout' } },
  spec: { containers: [{ name: 'app', image: 'shop/checkout:2.0.0' }] },
};

const objects = (crashing: boolean) => [
  snap(DEPLOY, {
    spec: { replicas: 1, template },
    status: crashing
      ? { availableReplicas: 0, updatedReplicas: 1 }
      : { availableReplicas: 1, updatedReplicas: 1 },
  }),
  snap(ref('ReplicaSet', 'checkout-2'), {
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      ownerReferences: [{ kind: 'Deployment', name: 'checkout', controller: true }],
    },
    spec: { replicas: 1, template },
  }),
  snap(POD, {
    metadata: {
      labels: { app: 'checkout' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'checkout-2', controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'shop/checkout:2.0.0' }] },
    status: crashing
      ? {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 6,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T11:58:00Z' } },
            },
          ],
        }
      : {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
        },
  }),
];

const incident: Incident = {
  id: 'inc_test',
  title: 'CrashLoopBackOff: container app in pod shop/checkout-2-a',
  status: 'open',
  severity: 'high',
  startMs: NOW - 300_000,
  updatedMs: NOW,
  resources: [POD],
  anomalyIds: ['anm_1'],
  rootCauses: [],
};

describe('diagnoseIncident', () => {
  it('ranks the crash (with its log line) above the Deployment short of replicas it causes', async () => {
    const cause = logLine(POD, 'app', 'Error: environment variable PAYMENTS_URL is required', {
      previous: true,
      severity: 'error',
    });
    const state = objects(true);
    const ctx = new MemoryContext({ nowMs: NOW, objects: state, logs: [cause] });
    const causes = await diagnoseIncident(incident, ctx, buildTopology(POD.cluster, state));
    for (const c of causes) RootCause.parse(c);
    expect(causes.map((c) => `${c.rank} ${c.failureMode} ${c.resource.kind}/${c.resource.name}`)).toEqual([
      '1 crash-loop Pod/checkout-2-a',
      '2 unavailable-replicas Deployment/checkout',
    ]);
    expect(causes[0]!.hypothesis).toContain('PAYMENTS_URL is required');
    expect(causes[0]!.evidence).toContainEqual(
      expect.objectContaining({ signal: { kind: 'log', ids: [cause.id] } }),
    );
    expect(causes[0]!.confidence).toBeGreaterThan(causes[1]!.confidence);
    expect(causes[0]!.origin).toBe('rules');
    // The analyzer's steps and read-only confirming commands travel with the cause.
    expect(causes[0]!.remediation?.steps.length).toBeGreaterThan(0);
    expect(causes[0]!.remediation?.commands.join('\n')).toContain('kubectl');
  });

  it('has no cause to offer when the resources are healthy', async () => {
    const state = objects(false);
    const ctx = new MemoryContext({ nowMs: NOW, objects: state });
    expect(await diagnoseIncident(incident, ctx, buildTopology(POD.cluster, state))).toEqual([]);
  });

  it('between equally certain causes, ranks first the one whose trouble started first', async () => {
    // The same crash loop on two workloads; catalog's anomalies began four minutes earlier.
    const catalog = JSON.parse(JSON.stringify(objects(true)).replaceAll('checkout', 'catalog')) as ReturnType<
      typeof objects
    >;
    const state = [...objects(true), ...catalog];
    const CATALOG_POD = ref('Pod', 'catalog-2-a');
    const early = anomaly(CATALOG_POD, 'k8s-state', 'CrashLoopBackOff: catalog', 6 * 60_000);
    const late = anomaly(POD, 'k8s-state', 'CrashLoopBackOff: checkout', 2 * 60_000);
    const ctx = new MemoryContext({ nowMs: NOW, objects: state, anomalies: [early, late] });
    const both: Incident = {
      ...incident,
      startMs: early.onsetMs,
      resources: [POD, CATALOG_POD],
      anomalyIds: [late.id, early.id],
    };
    const causes = await diagnoseIncident(both, ctx, buildTopology(POD.cluster, state));
    const loops = causes.filter((c) => c.failureMode === 'crash-loop').map((c) => c.resource.name);
    expect(loops).toEqual(['catalog-2-a', 'checkout-2-a']);
    // And the other way round when checkout's began first.
    const swapped = new MemoryContext({
      nowMs: NOW,
      objects: state,
      anomalies: [
        { ...early, onsetMs: late.onsetMs },
        { ...late, onsetMs: early.onsetMs },
      ],
    });
    const again = await diagnoseIncident(both, swapped, buildTopology(POD.cluster, state));
    expect(again.filter((c) => c.failureMode === 'crash-loop').map((c) => c.resource.name)).toEqual([
      'checkout-2-a',
      'catalog-2-a',
    ]);
  });

  it('with no Kubernetes failure to name, says where the errors start: the callee that degraded first', async () => {
    const workload = (name: string) => {
      const app = {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: `shop/${name}:1` }] },
      };
      return [
        snap(ref('Deployment', name), {
          spec: { replicas: 1, template: app },
          status: { availableReplicas: 1, updatedReplicas: 1 },
        }),
        snap(ref('ReplicaSet', `${name}-1`), {
          metadata: { ownerReferences: [{ kind: 'Deployment', name, controller: true }] },
          spec: { template: app },
        }),
        snap(ref('Pod', `${name}-1-a`), {
          metadata: {
            labels: { app: name },
            ownerReferences: [{ kind: 'ReplicaSet', name: `${name}-1`, controller: true }],
          },
          spec: app.spec,
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
          },
        }),
        snap(ref('Service', name), { spec: { selector: { app: name } } }),
      ];
    };
    const state = [...workload('checkout'), ...workload('payments'), ...workload('catalog')];
    const side = (service: string) => ({ service, cluster: POD.cluster, namespace: 'shop' });
    const calls = [
      { from: side('checkout'), to: side('payments'), calls: 500, errors: 40, meanDurationMs: 80 },
    ];
    const slowPayments = anomaly(
      ref('Deployment', 'payments'),
      'traces',
      'payments POST /charge: p95 2.1 s (usually 90 ms)',
      6 * 60_000,
    );
    const slowCheckout = anomaly(
      ref('Deployment', 'checkout'),
      'traces',
      'checkout POST /checkout: p95 2.3 s (usually 140 ms)',
      5 * 60_000,
    );
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: state,
      calls,
      anomalies: [slowPayments, slowCheckout],
    });
    const slow: Incident = {
      ...incident,
      startMs: slowPayments.onsetMs,
      resources: [ref('Deployment', 'checkout'), ref('Deployment', 'payments')],
      anomalyIds: [slowCheckout.id, slowPayments.id],
    };
    const causes = await diagnoseIncident(slow, ctx, buildTopology(POD.cluster, state, calls, NOW));
    for (const c of causes) RootCause.parse(c);
    expect(causes[0]).toMatchObject({
      failureMode: 'degradation-origin',
      resource: { kind: 'Deployment', name: 'payments' },
    });
    expect(causes[0]!.evidence).toContainEqual(
      expect.objectContaining({ signal: { kind: 'anomaly', id: slowPayments.id } }),
    );
    expect(causes.map((c) => c.resource.name)).not.toContain('catalog');
  });

  it('does not blame a rollout first for errors that began when a service it calls failed on its own', async () => {
    // checkout rolled out 6 minutes ago; 4 minutes ago payments, which it calls, began crash
    // looping; checkout's errors came after that.
    const rs = (name: string, revision: number, image: string, agoMs: number) =>
      snap(ref('ReplicaSet', name), {
        metadata: {
          creationTimestamp: new Date(NOW - agoMs).toISOString(),
          annotations: { 'deployment.kubernetes.io/revision': String(revision) },
          ownerReferences: [{ kind: 'Deployment', name: 'checkout', controller: true }],
        },
        spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
      });
    const checkout = [
      snap(DEPLOY, {
        spec: { replicas: 1, template },
        status: { availableReplicas: 1, updatedReplicas: 1 },
      }),
      rs('checkout-1', 1, 'shop/checkout:1.9.3', 3 * 24 * 3_600_000),
      rs('checkout-2', 2, 'shop/checkout:2.0.0', 6 * 60_000),
      snap(ref('Pod', 'checkout-2-b'), {
        metadata: {
          labels: { app: 'checkout' },
          ownerReferences: [{ kind: 'ReplicaSet', name: 'checkout-2', controller: true }],
        },
        spec: template.spec,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
        },
      }),
      snap(ref('Service', 'checkout'), { spec: { selector: { app: 'checkout' } } }),
    ];
    // payments: the crash-looping workload of the first test, renamed.
    const payments = JSON.parse(
      JSON.stringify(objects(true)).replaceAll('checkout', 'payments'),
    ) as ReturnType<typeof objects>;
    payments.push(snap(ref('Service', 'payments'), { spec: { selector: { app: 'payments' } } }));
    const state = [...checkout, ...payments];
    const side = (service: string) => ({ service, cluster: POD.cluster, namespace: 'shop' });
    const calls = [
      { from: side('checkout'), to: side('payments'), calls: 500, errors: 60, meanDurationMs: 80 },
    ];
    const crash = anomaly(ref('Pod', 'payments-2-a'), 'k8s-state', 'CrashLoopBackOff: payments', 4 * 60_000);
    const errors = anomaly(DEPLOY, 'traces', 'checkout POST /checkout: 12% of requests failed', 3 * 60_000);
    const both: Incident = {
      ...incident,
      startMs: crash.onsetMs,
      resources: [DEPLOY, ref('Pod', 'payments-2-a')],
      anomalyIds: [crash.id, errors.id],
    };
    const graph = buildTopology(POD.cluster, state, calls, NOW);
    const ctx = new MemoryContext({ nowMs: NOW, objects: state, calls, anomalies: [crash, errors] });
    const causes = await diagnoseIncident(both, ctx, graph);
    for (const c of causes) RootCause.parse(c);
    const line = (c: RootCause) => `${c.failureMode} ${c.resource.kind}/${c.resource.name}`;
    expect(causes.map(line).slice(0, 1)).toEqual(['crash-loop Pod/payments-2-a']);
    const rollout = causes.find((c) => c.failureMode === 'bad-rollout');
    expect(rollout?.resource.name).toBe('checkout');
    expect(rollout?.hypothesis).toContain(
      'Pod payments-2-a, which it calls, failed first on its own (crash-loop)',
    );
    expect(rollout!.rank).toBeGreaterThan(causes.find((c) => c.failureMode === 'crash-loop')!.rank);

    // When checkout's errors came first, the rollout keeps its full weight and its first place.
    const early = { ...errors, onsetMs: NOW - 5 * 60_000 };
    const ctx2 = new MemoryContext({ nowMs: NOW, objects: state, calls, anomalies: [crash, early] });
    const again = await diagnoseIncident({ ...both, startMs: early.onsetMs }, ctx2, graph);
    const blamed = again.find((c) => c.failureMode === 'bad-rollout');
    expect(blamed?.hypothesis).not.toContain('failed first on its own');
    expect(blamed!.confidence).toBeGreaterThan(rollout!.confidence);
  });
});
