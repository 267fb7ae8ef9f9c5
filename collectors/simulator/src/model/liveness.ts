import { podRef } from '../k8s/refs';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import type { ClusterRuntime } from './runtime';
import type { PodState, WorkloadState } from './state';

/** SIGTERM's exit status: what a process stopped by the kubelet reports. */
const SIGTERM_EXIT = 143;

/**
 * Arms a liveness probe that cannot succeed for a container that just started at `atMs` (its
 * template points the probe at `port`, where nothing listens). No-op without a liveness probe.
 */
export function armFailingLiveness(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  atMs: number,
  port: number,
): void {
  const probe = w.spec.livenessProbe;
  if (!probe) return;
  const dial = `dial tcp ${pod.ip}:${port}: connect: connection refused`;
  const message = probe.type === 'http' ? `Get "http://${pod.ip}:${port}${probe.path}": ${dial}` : dial;
  pod.container.livenessFailure = {
    message,
    nextProbeMs: atMs + probe.periodSeconds * 1000 * rt.rng.float(0.5, 1),
    failures: 0,
  };
}

/**
 * One failed liveness probe at `atMs`: a Warning Unhealthy event; at `failureThreshold` failures
 * in a row the kubelet kills the container ("failed liveness probe, will be restarted"), which
 * shuts down and exits 143 moments later.
 */
export function failLivenessProbe(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  const failing = c.livenessFailure;
  const probe = w.spec.livenessProbe;
  if (!failing || !probe) return;
  const kubelet = { component: 'kubelet', host: pod.nodeName };
  failing.failures++;
  failing.nextProbeMs = atMs + probe.periodSeconds * 1000;
  rt.events.record(
    podRef(w, pod),
    'Warning',
    'Unhealthy',
    `Liveness probe failed: ${failing.message}`,
    atMs,
    kubelet,
  );
  if (failing.failures < probe.failureThreshold) return;
  c.livenessFailure = undefined;
  rt.events.record(
    podRef(w, pod),
    'Normal',
    'Killing',
    `Container ${w.spec.name} failed liveness probe, will be restarted`,
    atMs,
    kubelet,
  );
  writeContainerLines(rt, w, pod, atMs, dialectOf(w).shutdown(logContext(rt, w, pod, atMs)));
  c.exitAt = { atMs: atMs + rt.rng.int(300, 2000), exitCode: SIGTERM_EXIT, reason: 'Error' };
}
