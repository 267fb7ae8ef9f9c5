import { observePod } from '../k8s/observe';
import { nodeRef, podRef } from '../k8s/refs';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { transition } from './history';
import { createPod } from './rollout';
import type { ClusterRuntime } from './runtime';
import type { NodeState, PodState, WorkloadState } from './state';

/** The kubelet's default hard eviction threshold for nodefs.available (10% of a 20 GiB root volume). */
const THRESHOLD_BYTES = 2_147_483_648;

/** The kubelet on `node` reports DiskPressure at `atMs`: condition, failed image GC, eviction signal. */
export function raiseDiskPressure(rt: ClusterRuntime, node: NodeState, atMs: number, by: string): void {
  node.diskPressure = { sinceMs: atMs, by };
  node.diskChangedMs = atMs;
  const kubelet = { component: 'kubelet', host: node.name };
  const ref = nodeRef(rt, node.name);
  rt.events.record(
    ref,
    'Normal',
    'NodeHasDiskPressure',
    `Node ${node.name} status is now: NodeHasDiskPressure`,
    atMs,
    kubelet,
  );
  rt.events.record(
    ref,
    'Warning',
    'FreeDiskSpaceFailed',
    `Failed to garbage collect required amount of images. Attempted to free ${rt.rng.int(2_000_000_000, 6_000_000_000)} bytes, but only found 0 bytes eligible to free.`,
    atMs + rt.rng.int(200, 1500),
    kubelet,
  );
  rt.events.record(
    ref,
    'Warning',
    'EvictionThresholdMet',
    'Attempting to reclaim ephemeral-storage',
    atMs + 1600,
    kubelet,
  );
}

/** The kubelet reports the pressure gone at `atMs`. */
export function clearDiskPressure(rt: ClusterRuntime, node: NodeState, atMs: number): void {
  node.diskPressure = undefined;
  node.diskChangedMs = atMs;
  rt.events.record(
    nodeRef(rt, node.name),
    'Normal',
    'NodeHasNoDiskPressure',
    `Node ${node.name} status is now: NodeHasNoDiskPressure`,
    atMs,
    { component: 'kubelet', host: node.name },
  );
}

/**
 * The kubelet evicts the pod at `atMs` to reclaim ephemeral storage: Warning Evicted naming what
 * the container used, Killing, the app's shutdown lines, exit 137; the pod stays as phase Failed,
 * reason Evicted, and its ReplicaSet creates a replacement (on a node without the taint).
 */
export function evictForDisk(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  const kubelet = { component: 'kubelet', host: pod.nodeName };
  const usedKi = rt.rng.int(9_000_000, 15_000_000);
  const message =
    `The node was low on resource: ephemeral-storage. Threshold quantity: ${THRESHOLD_BYTES}, available: ${rt.rng.int(1_200_000, 2_000_000)}Ki. ` +
    `Container ${w.spec.name} was using ${usedKi}Ki, request is 0, has larger consumption of ephemeral-storage. `;
  rt.events.record(podRef(w, pod, false), 'Warning', 'Evicted', message, atMs, kubelet);
  if (c.status.phase === 'running' && c.containerId !== undefined) {
    rt.events.record(podRef(w, pod), 'Normal', 'Killing', `Stopping container ${w.spec.name}`, atMs, kubelet);
    writeContainerLines(
      rt,
      w,
      pod,
      atMs,
      dialectOf(w).shutdown(logContext(rt, w, pod, atMs)),
      undefined,
      true,
    );
    const stopAt = atMs + rt.rng.int(300, 2500);
    c.status = {
      phase: 'terminated',
      info: {
        exitCode: 137,
        reason: 'Error',
        startedAtMs: c.status.startedAtMs,
        finishedAtMs: stopAt,
        containerId: c.containerId,
      },
    };
    transition(c, atMs, true, false);
    transition(c, stopAt, false, false);
  } else transition(c, atMs, false, false);
  c.ready = false;
  c.nextAttemptMs = undefined;
  c.exitAt = undefined;
  c.readyAtMs = undefined;
  pod.evicted = message;
  observePod(rt, w, pod, atMs);
  if (w.spec.kind === 'Deployment') createPod(rt, w, pod.revision, atMs + rt.rng.int(30, 400), 0);
}
