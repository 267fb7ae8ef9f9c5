import type { ResourceRef } from '@sleuth/core';

/**
 * Small, readable Kubernetes objects for the detector tests: each builder takes only what a test
 * varies and fills the rest as a healthy object would look. Times are epoch ms from T0.
 */

/** A JSON object as the API server serves it. */
export type Json = Record<string, unknown>;

export const CLUSTER = 'prod';
export const T0 = Date.parse('2024-05-01T10:00:00Z');
export const sec = (n: number): number => n * 1000;
export const min = (n: number): number => n * 60_000;

/** Kubernetes' timestamp format (whole seconds). */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** An object and how to name it. */
export interface Kube {
  ref: ResourceRef;
  apiVersion: string;
  object: Json;
}

function kube(
  kind: string,
  apiVersion: string,
  name: string,
  namespace: string | undefined,
  body: Json,
): Kube {
  const ref: ResourceRef = { cluster: CLUSTER, kind, name, uid: `uid-${kind}-${name}` };
  if (namespace !== undefined) ref.namespace = namespace;
  const metadata: Json = { name, uid: ref.uid, creationTimestamp: iso(T0) };
  if (namespace !== undefined) metadata['namespace'] = namespace;
  const extra = typeof body['metadata'] === 'object' && body['metadata'] !== null ? body['metadata'] : {};
  return { ref, apiVersion, object: { apiVersion, kind, ...body, metadata: { ...metadata, ...extra } } };
}

export const running = (startedMs: number): Json => ({ running: { startedAt: iso(startedMs) } });
export const waiting = (reason: string, message?: string): Json => ({
  waiting: message === undefined ? { reason } : { reason, message },
});
export const terminated = (
  reason: string,
  exitCode: number,
  startedMs: number,
  finishedMs: number,
): Json => ({
  terminated: { reason, exitCode, startedAt: iso(startedMs), finishedAt: iso(finishedMs) },
});

/** A container status: `state` from running/waiting/terminated, `last` its lastState. */
export function container(
  name: string,
  state: Json,
  opts: { ready?: boolean; restartCount?: number; last?: Json; image?: string } = {},
): Json {
  return {
    name,
    image: opts.image ?? `shop/${name}:1.4.2`,
    ready: opts.ready ?? 'running' in state,
    started: 'running' in state,
    restartCount: opts.restartCount ?? 0,
    state,
    lastState: opts.last ?? {},
  };
}

export interface PodOptions {
  name?: string;
  namespace?: string;
  phase?: string;
  containers?: Json[];
  initContainers?: Json[];
  /** Ready condition; default: True when every container is ready. */
  ready?: boolean;
  /** When Ready / ContainersReady last changed; default T0. */
  readySinceMs?: number;
  scheduled?: { status: 'True' | 'False'; reason?: string; message?: string; sinceMs: number };
  reason?: string;
  message?: string;
  nodeName?: string;
  memoryLimit?: string;
  extraConditions?: Json[];
}

export function pod(o: PodOptions = {}): Kube {
  const containers = o.containers ?? [container('api', running(T0))];
  const ready = o.ready ?? containers.every((c) => c['ready'] === true);
  const since = iso(o.readySinceMs ?? T0);
  const readyCond = (type: string): Json => ({
    type,
    status: ready ? 'True' : 'False',
    lastTransitionTime: since,
    ...(ready ? {} : { reason: 'ContainersNotReady' }),
  });
  const sched = o.scheduled ?? { status: 'True', sinceMs: T0 };
  const anyStarted = containers.some((c) => c['started'] === true || c['restartCount'] !== 0);
  const specOf = (c: Json): Json => ({
    name: c['name'],
    image: c['image'],
    resources: { limits: { memory: o.memoryLimit ?? '256Mi' } },
  });
  return kube('Pod', 'v1', o.name ?? 'api-7f9', o.namespace ?? 'shop', {
    spec: {
      nodeName: o.nodeName ?? 'node-a',
      containers: containers.map(specOf),
      ...(o.initContainers ? { initContainers: o.initContainers.map(specOf) } : {}),
    },
    status: {
      phase: o.phase ?? (anyStarted ? 'Running' : 'Pending'),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: iso(T0) },
        readyCond('Ready'),
        readyCond('ContainersReady'),
        {
          type: 'PodScheduled',
          status: sched.status,
          lastTransitionTime: iso(sched.sinceMs),
          ...(sched.reason ? { reason: sched.reason } : {}),
          ...(sched.message ? { message: sched.message } : {}),
        },
        ...(o.extraConditions ?? []),
      ],
      startTime: iso(T0),
      containerStatuses: containers,
      ...(o.initContainers ? { initContainerStatuses: o.initContainers } : {}),
    },
  });
}

type CondSpec = { status: string; reason?: string; message?: string; sinceMs?: number; updatedMs?: number };

function condition(type: string, c: CondSpec): Json {
  return {
    type,
    status: c.status,
    lastTransitionTime: iso(c.sinceMs ?? T0),
    lastUpdateTime: iso(c.updatedMs ?? c.sinceMs ?? T0),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

/** A node; conditions not given are healthy. */
export function node(name = 'node-a', conditions: Record<string, CondSpec> = {}): Kube {
  const healthy: Record<string, CondSpec> = {
    MemoryPressure: { status: 'False', reason: 'KubeletHasSufficientMemory' },
    DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure' },
    PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID' },
    Ready: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  };
  const all = { ...healthy, ...conditions };
  return kube('Node', 'v1', name, undefined, {
    status: { conditions: Object.entries(all).map(([type, c]) => condition(type, c)) },
  });
}

export interface DeploymentOptions {
  name?: string;
  replicas?: number;
  updated?: number;
  available?: number;
  generation?: number;
  observedGeneration?: number;
  availableCond?: CondSpec;
  progressing?: CondSpec;
  paused?: boolean;
}

export function deployment(o: DeploymentOptions = {}): Kube {
  const replicas = o.replicas ?? 4;
  const available = o.available ?? replicas;
  const total = Math.max(replicas, o.updated ?? replicas);
  return kube('Deployment', 'apps/v1', o.name ?? 'api', 'shop', {
    metadata: { generation: o.generation ?? 1 },
    spec: { replicas, ...(o.paused ? { paused: true } : {}) },
    status: {
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
      replicas: total,
      updatedReplicas: o.updated ?? replicas,
      readyReplicas: available,
      availableReplicas: available,
      ...(total > available ? { unavailableReplicas: total - available } : {}),
      conditions: [
        condition('Available', o.availableCond ?? { status: 'True', reason: 'MinimumReplicasAvailable' }),
        condition('Progressing', o.progressing ?? { status: 'True', reason: 'NewReplicaSetAvailable' }),
      ],
    },
  });
}

export function statefulSet(o: { name?: string; replicas?: number; ready?: number } = {}): Kube {
  const replicas = o.replicas ?? 1;
  return kube('StatefulSet', 'apps/v1', o.name ?? 'postgres', 'data', {
    spec: { replicas },
    status: { replicas, readyReplicas: o.ready ?? replicas, updatedReplicas: replicas },
  });
}

export function daemonSet(o: { name?: string; desired?: number; available?: number } = {}): Kube {
  const desired = o.desired ?? 3;
  const available = o.available ?? desired;
  return kube('DaemonSet', 'apps/v1', o.name ?? 'node-exporter', 'monitoring', {
    status: {
      desiredNumberScheduled: desired,
      numberReady: available,
      numberAvailable: available,
      ...(desired > available ? { numberUnavailable: desired - available } : {}),
    },
  });
}

export function hpa(
  o: { name?: string; min?: number; max?: number; current?: number; limited?: CondSpec } = {},
): Kube {
  const current = o.current ?? 3;
  return kube('HorizontalPodAutoscaler', 'autoscaling/v2', o.name ?? 'api', 'shop', {
    spec: { minReplicas: o.min ?? 2, maxReplicas: o.max ?? 10 },
    status: {
      currentReplicas: current,
      desiredReplicas: current,
      conditions: [
        condition('AbleToScale', { status: 'True', reason: 'ReadyForNewScale' }),
        condition('ScalingLimited', o.limited ?? { status: 'False', reason: 'DesiredWithinRange' }),
      ],
    },
  });
}

export function job(
  o: {
    name?: string;
    active?: number;
    failed?: number;
    succeeded?: number;
    conditions?: Record<string, CondSpec>;
  } = {},
): Kube {
  return kube('Job', 'batch/v1', o.name ?? 'migrate', 'shop', {
    spec: { backoffLimit: 6 },
    status: {
      active: o.active ?? 1,
      failed: o.failed ?? 0,
      succeeded: o.succeeded ?? 0,
      conditions: Object.entries(o.conditions ?? {}).map(([type, c]) => condition(type, c)),
    },
  });
}

export function pvc(
  o: { name?: string; phase?: string; createdMs?: number; storageClass?: string } = {},
): Kube {
  return kube('PersistentVolumeClaim', 'v1', o.name ?? 'data-postgres-0', 'data', {
    metadata: { creationTimestamp: iso(o.createdMs ?? T0) },
    spec: { storageClassName: o.storageClass ?? 'gp3' },
    status: { phase: o.phase ?? 'Bound' },
  });
}
