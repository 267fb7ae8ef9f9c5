import { observePod, observePodDeleted } from '../k8s/observe';
import { nodeRef, podRef } from '../k8s/refs';
import { transition } from './history';
import { podsOnNode } from './node-health';
import { createPod } from './rollout';
import type { ClusterRuntime } from './runtime';
import type { NodeState } from './state';

/** How long the node controller waits for a status before marking a node NotReady (node-monitor-grace-period). */
export const NODE_MONITOR_GRACE_MS = 40_000;
/** How long pods tolerate `node.kubernetes.io/unreachable:NoExecute` by default before eviction. */
export const UNREACHABLE_TOLERATION_MS = 300_000;

const NODE_CONTROLLER = { component: 'node-controller' };

/**
 * The node dies at `atMs` (its instance stops): every container on it stops at once, so its logs
 * and cAdvisor series end and connections to its pods fail; the API still shows the last status.
 */
export function stopNode(rt: ClusterRuntime, node: NodeState, atMs: number, by: string): void {
  node.outage = { sinceMs: atMs, by };
  for (const { pod } of podsOnNode(rt.state, node.name)) {
    const c = pod.container;
    c.exitAt = undefined;
    c.readyAtMs = undefined;
    c.nextAttemptMs = undefined;
    c.livenessFailure = undefined;
    // Still listed as ready until the node controller notices; nothing answers any more.
    transition(c, atMs, false, c.ready);
  }
}

/** The node controller marks the node NotReady (Unknown), taints it unreachable and the pods not ready. */
export function markNodeNotReady(rt: ClusterRuntime, node: NodeState, atMs: number): void {
  if (!node.outage) return;
  node.outage.notReadyMs = atMs;
  node.readyChangedMs = atMs;
  rt.events.record(
    nodeRef(rt, node.name),
    'Normal',
    'NodeNotReady',
    `Node ${node.name} status is now: NodeNotReady`,
    atMs,
    NODE_CONTROLLER,
  );
  for (const { w, pod } of podsOnNode(rt.state, node.name)) {
    rt.events.record(
      podRef(w, pod, false),
      'Warning',
      'NodeNotReady',
      'Node is not ready',
      atMs,
      NODE_CONTROLLER,
    );
    pod.container.ready = false;
    transition(pod.container, atMs, false, false);
    observePod(rt, w, pod, atMs);
  }
}

/**
 * Taint-based eviction once the pods' toleration of the unreachable taint ran out: each pod is
 * marked for deletion (it stays Terminating while the node cannot confirm); ReplicaSets create
 * replacements on other nodes, a StatefulSet waits (at most one pod per identity).
 */
export function evictUnreachablePods(rt: ClusterRuntime, node: NodeState, atMs: number): void {
  if (!node.outage) return;
  node.outage.evictedMs = atMs;
  for (const { w, pod } of podsOnNode(rt.state, node.name)) {
    rt.events.record(
      podRef(w, pod, false),
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${w.spec.namespace}/${pod.name}`,
      atMs,
      { component: 'taint-eviction-controller' },
    );
    pod.deletingAtMs = atMs;
    observePod(rt, w, pod, atMs);
    if (w.spec.kind === 'Deployment') createPod(rt, w, pod.revision, atMs + rt.rng.int(30, 400), 0);
  }
}

/**
 * The node is back at `atMs`: the kubelet posts Ready, the taints go, pods marked for deletion are
 * finally removed, and containers of the others are started again in a new sandbox.
 */
export function restartNode(rt: ClusterRuntime, node: NodeState, atMs: number): void {
  const outage = node.outage;
  if (!outage) return;
  node.outage = undefined;
  if (outage.notReadyMs !== undefined) node.readyChangedMs = atMs;
  const kubelet = { component: 'kubelet', host: node.name };
  rt.events.record(nodeRef(rt, node.name), 'Normal', 'Starting', 'Starting kubelet.', atMs, kubelet);
  rt.events.record(
    nodeRef(rt, node.name),
    'Normal',
    'NodeReady',
    `Node ${node.name} status is now: NodeReady`,
    atMs + rt.rng.int(2000, 6000),
    kubelet,
  );
  for (const w of rt.state.workloads) {
    for (const pod of w.pods) {
      if (pod.nodeName !== node.name || pod.goneAtMs !== undefined) continue;
      if (pod.deletingAtMs !== undefined) {
        pod.goneAtMs = atMs + rt.rng.int(3000, 9000);
        observePodDeleted(rt, w, pod, pod.goneAtMs);
        continue;
      }
      if (pod.evicted !== undefined) continue;
      const c = pod.container;
      const started = c.status.phase === 'running' ? c.status.startedAtMs : atMs;
      if (c.containerId !== undefined) {
        c.lastTerminated = {
          exitCode: 255,
          reason: 'Unknown',
          startedAtMs: started,
          finishedAtMs: outage.sinceMs,
          containerId: c.containerId,
        };
      }
      c.status = { phase: 'waiting', reason: 'ContainerCreating' };
      c.ready = false;
      c.consecutiveFailures = 0;
      c.nextAttemptMs = atMs + rt.rng.int(4000, 12_000);
      rt.events.record(
        podRef(w, pod, false),
        'Normal',
        'SandboxChanged',
        'Pod sandbox changed, it will be killed and re-created.',
        atMs + rt.rng.int(3000, 8000),
        kubelet,
      );
      observePod(rt, w, pod, atMs);
    }
  }
}
