import { imageDigest } from '../k8s/render-pod';
import { observePod } from '../k8s/observe';
import { nodeRef, podRef } from '../k8s/refs';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { failContainerConfig } from './config-error';
import { transition } from './history';
import { armFailingLiveness } from './liveness';
import { memoryLimitBytes, steadyMemoryBytes } from './pods';
import type { ClusterRuntime } from './runtime';
import type { PodState, TerminatedInfo, WorkloadState } from './state';

const KUBELET = (pod: PodState) => ({ component: 'kubelet', host: pod.nodeName });

/** The kubelet's restart back-off after `failures` failures in a row: 10 s doubling to 5 min. */
export function backoffMs(failures: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, failures - 1));
}

function pullError(image: string): string {
  return (
    `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": ` +
    `failed to resolve reference "${image}": ${image}: not found`
  );
}

/** The kubelet fails to pull a missing image: ErrImagePull, then ImagePullBackOff until the next try. */
function failPull(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  const image = pod.revision.template.image;
  const ref = podRef(w, pod);
  rt.events.record(ref, 'Normal', 'Pulling', `Pulling image "${image}"`, atMs, KUBELET(pod));
  const failedAt = atMs + rt.rng.int(400, 1600);
  const message = pullError(image);
  rt.events.record(
    ref,
    'Warning',
    'Failed',
    `Failed to pull image "${image}": ${message}`,
    failedAt,
    KUBELET(pod),
  );
  rt.events.record(ref, 'Warning', 'Failed', 'Error: ErrImagePull', failedAt, KUBELET(pod));
  c.status = { phase: 'waiting', reason: 'ErrImagePull', message };
  observePod(rt, w, pod, failedAt);
  c.consecutiveFailures++;
  const backoffAt = failedAt + rt.rng.int(800, 2000);
  const delay = backoffMs(c.consecutiveFailures);
  c.status = { phase: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
  rt.events.record(ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, backoffAt, KUBELET(pod));
  rt.events.record(ref, 'Warning', 'Failed', 'Error: ImagePullBackOff', backoffAt, KUBELET(pod));
  observePod(rt, w, pod, backoffAt);
  c.nextAttemptMs = backoffAt + delay;
}

/**
 * The kubelet starts (or restarts) the app container at `atMs`: pull if needed, create, start,
 * the app's startup lines; readiness follows after the app's startup time. An app whose required
 * environment variable is missing logs why and exits 1 moments later.
 */
export function startContainer(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const c = pod.container;
  const tpl = pod.revision.template;
  c.nextAttemptMs = undefined;
  if (tpl.pullError) {
    failPull(rt, w, pod, atMs);
    return;
  }
  const ref = podRef(w, pod);
  let t = atMs;
  if (c.imageId === undefined) {
    rt.events.record(ref, 'Normal', 'Pulling', `Pulling image "${tpl.image}"`, t, KUBELET(pod));
    const pullMs = rt.rng.int(900, 4000);
    t += pullMs;
    const secs = (pullMs / 1000).toFixed(3);
    rt.events.record(
      ref,
      'Normal',
      'Pulled',
      `Successfully pulled image "${tpl.image}" in ${secs}s (${secs}s including waiting). Image size: ${rt.rng.int(30, 240) * 1_000_003} bytes.`,
      t,
      KUBELET(pod),
    );
    c.imageId = `${tpl.image.split(':')[0] ?? tpl.image}@${imageDigest(tpl.image)}`;
  } else {
    rt.events.record(
      ref,
      'Normal',
      'Pulled',
      `Container image "${tpl.image}" already present on machine`,
      t,
      KUBELET(pod),
    );
  }
  if (tpl.missingConfigKey) {
    failContainerConfig(rt, w, pod, t + rt.rng.int(20, 200), tpl.missingConfigKey.key);
    return;
  }
  rt.events.record(ref, 'Normal', 'Created', `Created container ${w.spec.name}`, t + 40, KUBELET(pod));
  t += rt.rng.int(200, 700);
  rt.events.record(ref, 'Normal', 'Started', `Started container ${w.spec.name}`, t, KUBELET(pod));
  if (c.containerId !== undefined) c.restartCount++;
  c.containerId = rt.rng.hex(64);
  c.status = { phase: 'running', startedAtMs: t };
  c.ready = false;
  c.processStartMs = t;
  c.cpuSeconds = 0;
  c.memoryBytes = steadyMemoryBytes(w) * rt.rng.float(0.55, 0.7);
  // A leak grows with traffic, which differs from one process lifetime to the next.
  if (c.leakBytesPerSec > 0) c.leakBytesPerSec *= rt.rng.float(0.8, 1.25);
  transition(c, t, true, false);
  observePod(rt, w, pod, t);
  const ctx = logContext(rt, w, pod, t);
  const dialect = dialectOf(w);
  if (tpl.envOmitted !== undefined && tpl.envOmitted === w.spec.requiredEnv) {
    const lines = dialect.missingEnv(ctx, tpl.envOmitted);
    const last = Math.max(0, ...lines.map((l) => l.offsetMs ?? 0));
    writeContainerLines(rt, w, pod, t, lines, undefined, true);
    c.exitAt = { atMs: t + last + rt.rng.int(20, 200), exitCode: 1, reason: 'Error' };
    return;
  }
  writeContainerLines(rt, w, pod, t, dialect.startup(ctx), undefined, true);
  c.readyAtMs = t + w.spec.startupSeconds * 1000 * rt.rng.float(0.9, 1.3);
  if (tpl.livenessPort !== undefined) armFailingLiveness(rt, w, pod, t, tpl.livenessPort);
}

/**
 * The container's process ends at `atMs` (OOM kill, crash). The kubelet shows it terminated,
 * then waits in CrashLoopBackOff before the next start.
 */
export function terminateContainer(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  atMs: number,
  exit: { exitCode: number; reason: string },
): void {
  const c = pod.container;
  if (c.status.phase !== 'running' || c.containerId === undefined) return;
  const info: TerminatedInfo = {
    ...exit,
    startedAtMs: c.status.startedAtMs,
    finishedAtMs: atMs,
    containerId: c.containerId,
  };
  if (exit.reason === 'OOMKilled') {
    const limitKb = Math.round(memoryLimitBytes(w) / 1024);
    const rss = Math.round(limitKb * rt.rng.float(0.97, 0.995));
    rt.events.record(
      nodeRef(rt, pod.nodeName),
      'Warning',
      'OOMKilling',
      `Memory cgroup out of memory: Killed process ${rt.rng.int(1000, 60000)} (${w.spec.processName}) total-vm:${rss * 3}kB, ` +
        `anon-rss:${rss}kB, file-rss:${rt.rng.int(8000, 40000)}kB, shmem-rss:0kB, UID:${rt.rng.pick([0, 1000, 999])} pgtables:${rt.rng.int(1200, 4000)}kB oom_score_adj:${rt.rng.int(900, 999)}`,
      atMs,
      { component: 'kernel-monitor', host: pod.nodeName },
    );
  }
  c.status = { phase: 'terminated', info };
  c.lastTerminated = info;
  c.ready = false;
  c.exitAt = undefined;
  c.livenessFailure = undefined;
  c.readyAtMs = undefined;
  c.memoryBytes = 0;
  transition(c, atMs, false, false);
  observePod(rt, w, pod, atMs);
  if (pod.deletingAtMs !== undefined) return;
  c.consecutiveFailures++;
  const delay = backoffMs(c.consecutiveFailures);
  const waitAt = atMs + rt.rng.int(400, 1500);
  c.status = {
    phase: 'waiting',
    reason: 'CrashLoopBackOff',
    message: `back-off ${delay / 1000}s restarting failed container=${w.spec.name} pod=${pod.name}_${w.spec.namespace}(${pod.uid})`,
  };
  rt.events.record(
    podRef(w, pod),
    'Warning',
    'BackOff',
    `Back-off restarting failed container ${w.spec.name} in pod ${pod.name}_${w.spec.namespace}(${pod.uid})`,
    waitAt,
    KUBELET(pod),
  );
  observePod(rt, w, pod, waitAt);
  c.nextAttemptMs = atMs + delay;
}
