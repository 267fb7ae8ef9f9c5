import type { Anomaly, Incident, ObjectSnapshot, ResourceRef } from '@sleuth/core';

/** Incidents, anomalies and a crash-looping pod for the incidents API tests. */
export const MIN = 60_000;
export const T = Date.parse('2026-11-20T10:00:00Z');

export function incident(id: string, over: Partial<Incident>): Incident {
  return {
    id,
    title: `incident ${id}`,
    status: 'open',
    severity: 'medium',
    startMs: T,
    updatedMs: T + MIN,
    resources: [{ cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'cart-1' }],
    anomalyIds: [],
    rootCauses: [],
    ...over,
  };
}

export const pod = (cluster: string, name: string): ResourceRef => ({
  cluster,
  namespace: 'shop',
  kind: 'Pod',
  name,
});

/** A pod of Deployment `api` (through its ReplicaSet) whose container `api` is crash-looping. */
export function crashingPod(cluster: string, timeMs: number, ns = 'shop'): ObjectSnapshot[] {
  const deployment = {
    metadata: { name: 'api', namespace: ns, uid: `${cluster}-${ns}-d`, generation: 2 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: { spec: { containers: [{ name: 'api', image: 'reg/api:1.1' }] } },
    },
  };
  const rs = {
    metadata: {
      name: 'api-7f9c',
      namespace: ns,
      uid: `${cluster}-${ns}-rs`,
      ownerReferences: [{ kind: 'Deployment', name: 'api', uid: `${cluster}-${ns}-d`, controller: true }],
    },
  };
  const p = {
    metadata: {
      name: 'api-7f9c-x1',
      namespace: ns,
      uid: `${cluster}-${ns}-p`,
      labels: { app: 'api' },
      ownerReferences: [
        { kind: 'ReplicaSet', name: 'api-7f9c', uid: `${cluster}-${ns}-rs`, controller: true },
      ],
    },
    spec: { containers: [{ name: 'api', image: 'reg/api:1.1' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'api',
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: {
            terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date(timeMs).toISOString() },
          },
        },
      ],
    },
  };
  const snap = (
    kind: string,
    apiVersion: string,
    object: Record<string, unknown>,
    name: string,
  ): ObjectSnapshot => ({
    ref: { cluster, namespace: ns, kind, name },
    apiVersion,
    timeMs,
    deleted: false,
    object: { kind, apiVersion, ...object },
  });
  return [
    snap('Deployment', 'apps/v1', deployment, 'api'),
    snap('ReplicaSet', 'apps/v1', rs, 'api-7f9c'),
    snap('Pod', 'v1', p, 'api-7f9c-x1'),
  ];
}

export function anomaly(
  id: string,
  resource: ResourceRef,
  onsetMs: number,
  over: Partial<Anomaly> = {},
): Anomaly {
  return {
    id,
    detector: 'k8s-state',
    resource,
    signal: { kind: 'object', ref: resource, timeMs: onsetMs },
    onsetMs,
    lastSeenMs: onsetMs + MIN,
    score: 0.8,
    title: `${resource.name} restarts`,
    explanation: 'the container restarted 7 times',
    ...over,
  };
}
