import { observePod } from '../k8s/observe';
import { podRef } from '../k8s/refs';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { startContainer, terminateContainer } from './container-lifecycle';
import { pruneHistory, transition } from './history';
import { failLivenessProbe } from './liveness';
import { nodeDown } from './node-health';
import { memoryLimitBytes, steadyMemoryBytes } from './pods';
import type { ClusterRuntime } from './runtime';
import { retrySchedule } from './scheduling';
import type { PodState, WorkloadState } from './state';

type Action = { atMs: number; run: () => void };

/** A running container's memory at `t`, given its value at `fromMs`. */
function memoryAt(pod: PodState, mem: number, fromMs: number, t: number): number {
  return mem + (pod.container.leakBytesPerSec * (t - fromMs)) / 1000;
}

/** The earliest thing the kubelet (or the kernel) does to this pod after `cursor`, if any. */
function nextAction(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  cursor: number,
  mem: { bytes: number; at: number },
): Action | undefined {
  const c = pod.container;
  const candidates: Action[] = [];
  const running = c.status.phase === 'running';
  if (running && c.exitAt) {
    const exit = c.exitAt;
    candidates.push({ atMs: exit.atMs, run: () => terminateContainer(rt, w, pod, exit.atMs, exit) });
  }
  if (running && c.leakBytesPerSec > 0) {
    const limit = memoryLimitBytes(w);
    const oomAt = Math.max(cursor, mem.at + ((limit - mem.bytes) / c.leakBytesPerSec) * 1000);
    candidates.push({
      atMs: oomAt,
      run: () => {
        c.memoryBytes = limit;
        terminateContainer(rt, w, pod, oomAt, { exitCode: 137, reason: 'OOMKilled' });
      },
    });
  }
  if (running && !c.ready && c.readyAtMs !== undefined && !c.readinessFailure) {
    const at = c.readyAtMs;
    candidates.push({
      atMs: at,
      run: () => {
        c.ready = true;
        c.readyAtMs = undefined;
        transition(c, at, true, true);
        observePod(rt, w, pod, at);
      },
    });
  }
  const probe = c.readinessFailure;
  if (running && probe) {
    const at = probe.nextProbeMs;
    candidates.push({ atMs: at, run: () => failProbe(rt, w, pod, at) });
  }
  const liveness = c.livenessFailure;
  if (running && liveness && !c.exitAt) {
    const at = liveness.nextProbeMs;
    candidates.push({ atMs: at, run: () => failLivenessProbe(rt, w, pod, at) });
  }
  if (!running && c.nextAttemptMs !== undefined) {
    const at = c.nextAttemptMs;
    const attempt = pod.unschedulable === undefined ? startContainer : retrySchedule;
    candidates.push({ atMs: at, run: () => attempt(rt, w, pod, at) });
  }
  let best: Action | undefined;
  for (const a of candidates) if (!best || a.atMs < best.atMs) best = a;
  return best;
}

/** One failed readiness probe: an Unhealthy event, and not ready after `failureThreshold` in a row. */
function failProbe(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  const probe = c.readinessFailure;
  if (!probe) return;
  probe.failures++;
  probe.nextProbeMs = atMs + w.spec.readinessProbe.periodSeconds * 1000;
  rt.events.record(podRef(w, pod), 'Warning', 'Unhealthy', `Readiness probe failed: ${probe.message}`, atMs, {
    component: 'kubelet',
    host: pod.nodeName,
  });
  const lines = dialectOf(w).outageProbe?.(logContext(rt, w, pod, atMs));
  if (lines) writeContainerLines(rt, w, pod, atMs, lines);
  if (c.ready && probe.failures >= w.spec.readinessProbe.failureThreshold) {
    c.ready = false;
    transition(c, atMs, true, false);
    observePod(rt, w, pod, atMs);
  }
}

/**
 * Runs the kubelet for one pod over (fromMs, toMs]: starts, restarts with back-off, readiness,
 * failing probes, scheduled exits and OOM kills, in time order; then settles memory at `toMs`.
 * A pod being deleted is only advanced up to its deletion.
 */
export function advancePod(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  fromMs: number,
  toMs: number,
): void {
  const c = pod.container;
  // An evicted pod is done; on a node that is down nothing runs or reports.
  if (pod.evicted !== undefined || nodeDown(rt.state, pod.nodeName)) return;
  const end = pod.deletingAtMs === undefined ? toMs : Math.min(toMs, pod.deletingAtMs);
  const mem = { bytes: c.memoryBytes, at: fromMs };
  let cursor = fromMs;
  for (let guard = 0; guard < 1000; guard++) {
    const action = nextAction(rt, w, pod, cursor, mem);
    if (!action || action.atMs > end) break;
    if (c.status.phase === 'running') mem.bytes = memoryAt(pod, mem.bytes, mem.at, action.atMs);
    mem.at = action.atMs;
    const wasRunning = c.status.phase === 'running';
    action.run();
    if (!wasRunning && c.status.phase === 'running') {
      mem.bytes = c.memoryBytes;
      mem.at = c.status.startedAtMs;
    }
    cursor = action.atMs;
  }
  if (c.status.phase === 'running') {
    const leaked = memoryAt(pod, mem.bytes, mem.at, toMs);
    if (c.leakBytesPerSec > 0) c.memoryBytes = leaked;
    else {
      const target = steadyMemoryBytes(w) * rt.rng.float(0.97, 1.03);
      c.memoryBytes = leaked + (target - leaked) * 0.25;
    }
    if (c.status.startedAtMs <= toMs - 600_000) c.consecutiveFailures = 0;
  }
  pruneHistory(c, toMs);
}
