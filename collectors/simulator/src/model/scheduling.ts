import { observePod } from '../k8s/observe';
import { podRef } from '../k8s/refs';
import type { ClusterRuntime } from './runtime';
import { claimOf } from './claims';
import { placePod } from './pods';
import type { PodState, WorkloadState } from './state';

const SCHEDULER = { component: 'default-scheduler' };

/** CPU a node can give to pods, in millicores (its allocatable, as rendered on the Node). */
export function allocatableCpuMilli(rt: ClusterRuntime): number {
  return rt.state.spec.nodeCpuCores * 1000 - 80;
}

/**
 * The scheduler's verdict for a pod of `w`: undefined when a node can take it, else the
 * FailedScheduling message (every node lacks CPU for the template's request).
 */
export function unschedulableReason(rt: ClusterRuntime, w: WorkloadState, pod: PodState): string | undefined {
  const n = rt.state.nodes.length;
  const claim = claimOf(w, pod);
  if (claim && claim.boundMs === undefined) {
    return (
      `0/${n} nodes are available: pod has unbound immediate PersistentVolumeClaims. ` +
      `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`
    );
  }
  const request = pod.revision.template.cpuRequestMilli ?? w.spec.cpuRequestMilli;
  if (request <= allocatableCpuMilli(rt)) return undefined;
  return (
    `0/${n} nodes are available: ${n} Insufficient cpu. ` +
    `preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`
  );
}

/** The scheduler's retry back-off for an unschedulable pod: 1 s doubling to 5 min (with jitter). */
function retryMs(rt: ClusterRuntime, attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(attempt, 9)) * rt.rng.float(0.9, 1.1);
}

/**
 * Leaves a new pod Pending without a node: no IP, no kubelet, a Warning FailedScheduling event
 * now and at each retry (see {@link retrySchedule}).
 */
export function markUnschedulable(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  atMs: number,
  message: string,
): void {
  pod.unschedulable = message;
  pod.nodeName = '';
  pod.hostIp = '';
  pod.ip = '';
  retrySchedule(rt, w, pod, atMs);
}

/**
 * A scheduling attempt at `atMs`: the pod is bound to a node if one can take it now, else
 * FailedScheduling (its count rises) and the next retry later.
 */
export function retrySchedule(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  if (pod.unschedulable === undefined) return;
  const message = unschedulableReason(rt, w, pod);
  if (message === undefined) {
    bindPod(rt, w, pod, atMs);
    return;
  }
  pod.unschedulable = message;
  rt.events.record(
    podRef(w, pod, false),
    'Warning',
    'FailedScheduling',
    message,
    atMs,
    SCHEDULER,
    'Scheduling',
  );
  c.consecutiveFailures++;
  c.nextAttemptMs = atMs + retryMs(rt, c.consecutiveFailures);
  observePod(rt, w, pod, atMs);
}

/** The scheduler binds a pod that waited at `atMs`: a node, an IP, Scheduled, then the kubelet starts it. */
function bindPod(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  pod.unschedulable = undefined;
  placePod(rt.state, w, pod);
  rt.events.record(
    podRef(w, pod, false),
    'Normal',
    'Scheduled',
    `Successfully assigned ${w.spec.namespace}/${pod.name} to ${pod.nodeName}`,
    atMs,
    SCHEDULER,
    'Binding',
  );
  pod.container.consecutiveFailures = 0;
  pod.container.nextAttemptMs = atMs + rt.rng.int(1500, 4000);
  observePod(rt, w, pod, atMs);
}
