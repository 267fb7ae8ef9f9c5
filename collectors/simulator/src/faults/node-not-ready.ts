import {
  evictUnreachablePods,
  markNodeNotReady,
  NODE_MONITOR_GRACE_MS,
  restartNode,
  stopNode,
  UNREACHABLE_TOLERATION_MS,
} from '../model/node-outage';
import type { ClusterRuntime } from '../model/runtime';
import { isLive, type NodeState, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The node running the workload's first live pod: the one that fails. */
function hostOf(rt: ClusterRuntime, w: WorkloadState): NodeState | undefined {
  const pod = w.pods.find(isLive);
  return rt.state.nodes.find((n) => n.name === pod?.nodeName);
}

const failedNode = (rt: ClusterRuntime, w: WorkloadState): NodeState | undefined =>
  rt.state.nodes.find((n) => n.outage?.by === w.spec.name);

/**
 * node_not_ready: the node running the target's first pod stops (its instance fails). Everything
 * on it stops at once: logs and cAdvisor series end, node_exporter goes silent, callers' requests
 * to its pods fail. After 40 s the node controller marks it NotReady (conditions Unknown, "Kubelet
 * stopped posting node status.", NodeNotReady events, unreachable taints, pods not ready); after
 * the 300 s toleration the pods are marked for deletion (TaintManagerEviction), stay Terminating,
 * and ReplicaSets recreate them on other nodes. At the end the node comes back Ready, the
 * Terminating pods are removed and the rest restart in new sandboxes.
 */
export const nodeNotReady: FaultBehavior = {
  unsupported: (w) =>
    w.pods.some(isLive) ? undefined : `${w.spec.name} has no running pod whose node could fail`,
  describe: (w, rt) =>
    `Node ${hostOf(rt, w)?.name ?? '?'} (running ${w.spec.name}) stops reporting: NotReady after 40 s, its pods evicted after 5 min and recreated on other nodes.`,
  begin(rt, w, atMs) {
    const node = hostOf(rt, w);
    if (!node || node.outage) return;
    stopNode(rt, node, atMs, w.spec.name);
  },
  during(rt, w, { toMs }) {
    const node = failedNode(rt, w);
    const outage = node?.outage;
    if (!node || !outage) return;
    const notReadyAt = outage.sinceMs + NODE_MONITOR_GRACE_MS;
    if (outage.notReadyMs === undefined && notReadyAt <= toMs) markNodeNotReady(rt, node, notReadyAt);
    const evictAt = notReadyAt + UNREACHABLE_TOLERATION_MS;
    if (outage.evictedMs === undefined && evictAt <= toMs) evictUnreachablePods(rt, node, evictAt);
  },
  end(rt, w, atMs) {
    const node = failedNode(rt, w);
    if (node) restartNode(rt, node, atMs);
  },
};
