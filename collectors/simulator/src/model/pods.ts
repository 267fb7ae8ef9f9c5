import { imageDigest } from '../k8s/render-pod';
import type { Rng } from '../random';
import { acceptsPods } from './node-health';
import type {
  ClusterState,
  ContainerRuntime,
  NodeState,
  PodState,
  RevisionState,
  WorkloadState,
} from './state';

const MI = 1024 * 1024;

/** Memory limit of a workload's container in bytes. */
export function memoryLimitBytes(w: WorkloadState): number {
  return w.spec.memoryLimitMi * MI;
}

/** The steady working set a healthy container settles at. */
export function steadyMemoryBytes(w: WorkloadState): number {
  return memoryLimitBytes(w) * w.spec.memoryBaseline;
}

/** The CPU limit of a pod's container in millicores (0 = none): its template's, else the workload's. */
export function cpuLimitMilli(w: WorkloadState, pod: PodState): number {
  return pod.revision.template.cpuLimitMilli ?? w.spec.cpuLimitMilli;
}

/** Spreads pods like the default scheduler: fewest pods of this workload, then fewest pods overall. */
export function pickNode(state: ClusterState, w: WorkloadState): NodeState {
  const total = new Map<string, number>();
  const mine = new Map<string, number>();
  for (const wl of state.workloads) {
    for (const p of wl.pods) {
      if (p.goneAtMs !== undefined) continue;
      total.set(p.nodeName, (total.get(p.nodeName) ?? 0) + 1);
      if (wl === w) mine.set(p.nodeName, (mine.get(p.nodeName) ?? 0) + 1);
    }
  }
  let best: NodeState | undefined;
  const open = state.nodes.filter(acceptsPods);
  for (const node of open.length > 0 ? open : state.nodes) {
    if (!best) {
      best = node;
      continue;
    }
    const a = [mine.get(node.name) ?? 0, total.get(node.name) ?? 0];
    const b = [mine.get(best.name) ?? 0, total.get(best.name) ?? 0];
    if ((a[0] ?? 0) < (b[0] ?? 0) || (a[0] === b[0] && (a[1] ?? 0) < (b[1] ?? 0))) best = node;
  }
  if (!best) throw new Error(`cluster ${state.spec.name} has no nodes`);
  return best;
}

/** Puts an unplaced pod on the best node and gives it an IP from that node's range. */
export function placePod(state: ClusterState, w: WorkloadState, pod: PodState): void {
  const node = pickNode(state, w);
  pod.nodeName = node.name;
  pod.hostIp = node.ip;
  pod.ip = podIp(state, node);
}

function podIp(state: ClusterState, node: NodeState): string {
  const ip = `10.${state.spec.netOctet}.${100 + node.index}.${node.nextPodIp}`;
  node.nextPodIp = node.nextPodIp >= 250 ? 2 : node.nextPodIp + 1;
  return ip;
}

/** A pod name: `<replicaset>-<5 chars>` for Deployments, `<statefulset>-<ordinal>` for StatefulSets. */
export function podName(rng: Rng, w: WorkloadState, rev: RevisionState, ordinal: number): string {
  return w.spec.kind === 'StatefulSet' ? `${w.spec.name}-${ordinal}` : `${rev.name}-${rng.k8sSuffix(5)}`;
}

function container(w: WorkloadState): ContainerRuntime {
  return {
    name: w.spec.name,
    status: { phase: 'waiting', reason: 'ContainerCreating' },
    ready: false,
    restartCount: 0,
    consecutiveFailures: 0,
    memoryBytes: 0,
    processStartMs: 0,
    cpuSeconds: 0,
    leakBytesPerSec: 0,
    history: [],
  };
}

/**
 * Creates a pod of `rev` on the best node. A `runningSinceMs` pod is already up and ready (the
 * fleet at start); otherwise it waits in ContainerCreating for the kubelet to start it.
 */
export function newPod(
  rng: Rng,
  state: ClusterState,
  w: WorkloadState,
  rev: RevisionState,
  createdMs: number,
  name: string,
  runningSinceMs?: number,
): PodState {
  const node = pickNode(state, w);
  const c = container(w);
  const pod: PodState = {
    name,
    uid: rng.uuid(),
    createdMs,
    revision: rev,
    nodeName: node.name,
    hostIp: node.ip,
    ip: podIp(state, node),
    container: c,
    served: 0,
    refusing: [],
  };
  if (runningSinceMs === undefined) {
    c.nextAttemptMs = createdMs + rng.int(1500, 4000);
    c.history.push({ atMs: createdMs, running: false, ready: false });
    return pod;
  }
  c.status = { phase: 'running', startedAtMs: runningSinceMs };
  c.ready = true;
  c.containerId = rng.hex(64);
  c.imageId = `${rev.template.image.split(':')[0] ?? rev.template.image}@${imageDigest(rev.template.image)}`;
  c.processStartMs = runningSinceMs;
  c.memoryBytes = steadyMemoryBytes(w) * rng.float(0.92, 1.06);
  c.history.push({ atMs: runningSinceMs, running: true, ready: true });
  return pod;
}
