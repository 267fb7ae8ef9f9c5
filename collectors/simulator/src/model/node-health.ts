import type { ClusterState, NodeState, PodState } from './state';

/** A taint on a node, as `spec.taints` lists it. */
export interface Taint {
  key: string;
  effect: 'NoSchedule' | 'NoExecute';
  timeAddedMs: number;
}

/** Whether the scheduler may place new pods on the node (Ready and without pressure taints). */
export function acceptsPods(node: NodeState): boolean {
  return node.outage === undefined && node.diskPressure === undefined;
}

/** Whether the node's kubelet is gone (node_not_ready): nothing on it runs or reports. */
export function nodeDown(state: ClusterState, nodeName: string): boolean {
  return state.nodes.some((n) => n.name === nodeName && n.outage !== undefined);
}

/** The taints the node lifecycle controller and the kubelet put on the node in its state. */
export function nodeTaints(node: NodeState): Taint[] {
  const taints: Taint[] = [];
  if (node.outage?.notReadyMs !== undefined) {
    const at = node.outage.notReadyMs;
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAddedMs: at });
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAddedMs: at });
  }
  if (node.diskPressure) {
    taints.push({
      key: 'node.kubernetes.io/disk-pressure',
      effect: 'NoSchedule',
      timeAddedMs: node.diskPressure.sinceMs,
    });
  }
  return taints;
}

/** The live pods on a node, with their workloads. */
export function podsOnNode(
  state: ClusterState,
  nodeName: string,
): { w: ClusterState['workloads'][number]; pod: PodState }[] {
  const out: { w: ClusterState['workloads'][number]; pod: PodState }[] = [];
  for (const w of state.workloads) {
    for (const pod of w.pods) {
      if (pod.nodeName === nodeName && pod.deletingAtMs === undefined && pod.evicted === undefined)
        out.push({ w, pod });
    }
  }
  return out;
}
