import { createHash } from 'node:crypto';
import type { ClusterSpec, WorkloadSpec } from '../fleet/types';
import { EventRecorder } from '../k8s/event-recorder';
import { ObjectWatch } from '../k8s/object-watch';
import { SeriesRegistry } from '../metrics/series-registry';
import type { Rng } from '../random';
import { newHpa } from './autoscaler';
import { Outbox, SCOPES } from './outbox';
import { newPod, podName } from './pods';
import type { ClusterRuntime } from './runtime';
import type { ClusterState, NodeState, RevisionState, WorkloadState } from './state';

const DAY = 86_400_000;

function nodes(rng: Rng, spec: ClusterSpec, startMs: number): NodeState[] {
  const domain = spec.region === 'us-east-1' ? 'ec2.internal' : `${spec.region}.compute.internal`;
  return Array.from({ length: spec.nodeCount }, (_, index) => {
    const ip = `10.${spec.netOctet}.${10 + index}.${rng.int(10, 250)}`;
    return {
      name: `ip-${ip.replace(/\./g, '-')}.${domain}`,
      uid: rng.uuid(),
      ip,
      zone: spec.zones[index % spec.zones.length] ?? spec.region,
      index,
      createdMs: startMs - rng.int(20, 60) * DAY - rng.int(0, DAY),
      nextPodIp: rng.int(2, 40),
    };
  });
}

/** A UUID-shaped id derived from a key. */
function derivedUid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function workload(rng: Rng, spec: WorkloadSpec, octet: number, startMs: number): WorkloadState {
  const createdMs = startMs - rng.int(40, 300) * DAY;
  const revCreated = startMs - rng.int(1, 14) * DAY - rng.int(0, DAY);
  const hash = rng.k8sSuffix(spec.kind === 'StatefulSet' ? 10 : rng.int(9, 10));
  const revision: RevisionState = {
    name: `${spec.name}-${hash}`,
    uid: rng.uuid(),
    revision: rng.int(3, 40),
    createdMs: revCreated,
    template: { version: spec.version, image: `${spec.image}:${spec.version}`, hash },
    replicas: spec.replicas,
  };
  const cond = (reason: string, message: string) => ({
    status: 'True' as const,
    reason,
    message,
    lastUpdateMs: revCreated + 40_000,
    lastTransitionMs: revCreated + 40_000,
  });
  const claims =
    spec.kind === 'StatefulSet'
      ? Array.from({ length: spec.replicas }, (_, i) => {
          // Derived, not drawn: adding claims must not shift the fleet's random sequence.
          const uid = derivedUid(`${octet}/${spec.namespace}/data-${spec.name}-${i}`);
          return {
            name: `data-${spec.name}-${i}`,
            uid,
            createdMs,
            boundMs: createdMs + 9000,
            volumeName: `pvc-${uid}`,
          };
        })
      : undefined;
  return {
    // A copy: controllers change replicas per cluster (pvc_pending scales a StatefulSet).
    spec: { ...spec },
    ...(claims ? { claims } : {}),
    uid: rng.uuid(),
    createdMs,
    generation: revision.revision,
    revisions: [revision],
    pods: [],
    service: {
      uid: rng.uuid(),
      endpointsUid: rng.uuid(),
      ip: `172.${octet}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      createdMs,
    },
    configMapUid: rng.uuid(),
    ...(spec.env.some((e) => e.from === 'secret') ? { secretUid: rng.uuid() } : {}),
    available: cond('MinimumReplicasAvailable', 'Deployment has minimum availability.'),
    progressing: cond('NewReplicaSetAvailable', `ReplicaSet "${revision.name}" has successfully progressed.`),
  };
}

/**
 * Builds one cluster's runtime in its state at `startMs`: nodes, namespaces and workloads up
 * and healthy for days, every pod running and ready.
 */
export function buildCluster(
  rng: Rng,
  spec: ClusterSpec,
  startMs: number,
  traceSampleRatio: number,
): ClusterRuntime {
  const state: ClusterState = {
    spec,
    nodes: nodes(rng, spec, startMs),
    namespaces: spec.namespaces.map((name) => ({
      name,
      uid: rng.uuid(),
      createdMs: startMs - rng.int(300, 400) * DAY,
    })),
    workloads: [],
    queues: new Map(),
    droppedJobs: 0,
  };
  for (const ws of spec.workloads) {
    const w = workload(rng, ws, spec.netOctet, startMs);
    if (ws.autoscaling) {
      // Derived, not drawn: adding autoscalers must not shift the fleet's random sequence.
      const uid = derivedUid(`${spec.netOctet}/${ws.namespace}/hpa/${ws.name}`);
      w.hpa = newHpa(w, uid, ws.autoscaling.maxReplicas, ws.autoscaling.targetCpuUtilization);
    }
    state.workloads.push(w);
    const rev = w.revisions[0];
    if (!rev) continue;
    for (let i = 0; i < ws.replicas; i++) {
      const created = rev.createdMs + rng.int(0, 60_000) + i * 15_000;
      const running = created + rng.int(3000, 9000);
      w.pods.push(newPod(rng, state, w, rev, created, podName(rng, w, rev, i), running));
    }
    if (ws.consumes) state.queues.set(ws.consumes, []);
  }
  const outbox = new Outbox();
  return {
    name: spec.name,
    state,
    rng,
    outbox,
    events: new EventRecorder(spec.name, rng, outbox),
    watch: new ObjectWatch(spec.name, rng.int(4_000_000, 90_000_000)),
    metrics: new SeriesRegistry(SCOPES.prometheus),
    traceSampleRatio,
  };
}
