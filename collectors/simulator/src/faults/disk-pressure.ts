import { observePodDeleted } from '../k8s/observe';
import { clearDiskPressure, evictForDisk, raiseDiskPressure } from '../model/eviction';
import type { ClusterRuntime } from '../model/runtime';
import { isLive, type NodeState, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The node running the workload's first live pod: the one whose disk fills. */
function hostOf(rt: ClusterRuntime, w: WorkloadState): NodeState | undefined {
  const pod = w.pods.find(isLive);
  return rt.state.nodes.find((n) => n.name === pod?.nodeName);
}

/**
 * disk_pressure: the target writes so much to its container filesystem that its node's root
 * volume runs short. The kubelet reports DiskPressure=True (the node gets the
 * `node.kubernetes.io/disk-pressure:NoSchedule` taint), fails to free space by image GC
 * (FreeDiskSpaceFailed, EvictionThresholdMet) and evicts the target's pods on that node (Warning
 * Evicted, phase Failed, reason Evicted); their ReplicaSet recreates them on other nodes. At the
 * end the pressure clears and the Failed pods are cleaned up.
 */
export const diskPressure: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `disk_pressure evicts pods that a ReplicaSet recreates elsewhere, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    return w.pods.some(isLive) ? undefined : `${w.spec.name} has no running pod`;
  },
  describe: (w, rt) =>
    `${w.spec.name} fills the disk of node ${hostOf(rt, w)?.name ?? '?'}: DiskPressure=True, disk-pressure taint, its pods there evicted and recreated elsewhere.`,
  begin(rt, w, atMs) {
    const node = hostOf(rt, w);
    if (!node || node.diskPressure) return;
    raiseDiskPressure(rt, node, atMs, w.spec.name);
    let at = atMs + rt.rng.int(2000, 5000);
    for (const pod of w.pods.filter((p) => isLive(p) && p.nodeName === node.name)) {
      evictForDisk(rt, w, pod, at);
      at += rt.rng.int(200, 1200);
    }
  },
  end(rt, w, atMs) {
    const node = rt.state.nodes.find((n) => n.diskPressure?.by === w.spec.name);
    if (node) clearDiskPressure(rt, node, atMs);
    for (const pod of w.pods) {
      if (pod.evicted === undefined || pod.goneAtMs !== undefined) continue;
      pod.goneAtMs = atMs + rt.rng.int(500, 3000);
      observePodDeleted(rt, w, pod, pod.goneAtMs);
    }
  },
};
