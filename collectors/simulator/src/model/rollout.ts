import { k8sTime } from '../clock';
import { observePod, observePodDeleted } from '../k8s/observe';
import { podRef, replicaSetRef, workloadRef } from '../k8s/refs';
import { renderReplicaSet } from '../k8s/render-workloads';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { transition } from './history';
import { ensureClaim } from './claims';
import { newPod, podName } from './pods';
import { markUnschedulable, unschedulableReason } from './scheduling';
import type { ClusterRuntime } from './runtime';
import type { PodState, PodTemplate, RevisionState, WorkloadState } from './state';
import { currentRevision } from './state';

const REVISION_HISTORY_LIMIT = 10;

/** The next patch version: `1.4.2` → `1.4.3` (other tags get `-1`). */
export function nextVersion(version: string): string {
  const m = /^(v?\d+\.\d+\.)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}-1`;
}

/**
 * The kubelet stops a pod being deleted at `atMs`: Killing event, the app's shutdown lines,
 * out of the endpoints at once, the process gone a moment later, then the object is removed.
 */
export function deletePod(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  if (pod.deletingAtMs !== undefined) return;
  const c = pod.container;
  pod.deletingAtMs = atMs;
  const kubelet = { component: 'kubelet', host: pod.nodeName };
  const stopAt = atMs + rt.rng.int(300, 2500);
  const wasRunning = c.status.phase === 'running';
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
    c.status = {
      phase: 'terminated',
      info: {
        exitCode: 0,
        reason: 'Completed',
        startedAtMs: c.status.startedAtMs,
        finishedAtMs: stopAt,
        containerId: c.containerId,
      },
    };
  }
  c.ready = false;
  c.nextAttemptMs = undefined;
  c.exitAt = undefined;
  transition(c, atMs, wasRunning, false);
  if (wasRunning) transition(c, stopAt, false, false);
  observePod(rt, w, pod, atMs);
  pod.goneAtMs = stopAt + 200;
  observePodDeleted(rt, w, pod, pod.goneAtMs);
}

/**
 * Starts a rollout of a new pod template at `atMs`: a new ReplicaSet (Deployment) or revision
 * (StatefulSet) with `replicas` desired pods. Deployment pods are created at once; old pods are
 * scaled down by the controller as new ones become ready. A rollout whose new pods never become
 * ready stalls, leaving the old pods serving.
 */
export function startRollout(
  rt: ClusterRuntime,
  w: WorkloadState,
  atMs: number,
  change: Omit<PodTemplate, 'hash'>,
  replicas: number,
): RevisionState {
  const sts = w.spec.kind === 'StatefulSet';
  const hash = rt.rng.k8sSuffix(10);
  const rev: RevisionState = {
    name: `${w.spec.name}-${hash}`,
    uid: rt.rng.uuid(),
    revision: currentRevision(w).revision + 1,
    createdMs: atMs,
    template: { ...change, hash },
    replicas,
  };
  w.revisions.push(rev);
  w.generation++;
  w.rolloutStartedMs = atMs;
  trimRevisions(rt, w, atMs);
  if (sts) return rev;
  const controller = { component: 'deployment-controller' };
  rt.events.record(
    workloadRef(w),
    'Normal',
    'ScalingReplicaSet',
    `Scaled up replica set ${rev.name} to ${replicas}`,
    atMs,
    controller,
  );
  for (let i = 0; i < replicas; i++) createPod(rt, w, rev, atMs + 20 + i * 60, i);
  setProgressing(w, atMs, 'True', 'ReplicaSetUpdated', `ReplicaSet "${rev.name}" is progressing.`);
  return rev;
}

/** Creates one pod of `rev` and records the controller's and scheduler's events. */
export function createPod(
  rt: ClusterRuntime,
  w: WorkloadState,
  rev: RevisionState,
  atMs: number,
  ordinal: number,
): PodState {
  const pod = newPod(rt.rng, rt.state, w, rev, atMs, podName(rt.rng, w, rev, ordinal));
  w.pods.push(pod);
  if (w.spec.kind === 'StatefulSet') {
    rt.events.record(
      workloadRef(w),
      'Normal',
      'SuccessfulCreate',
      `create Pod ${pod.name} in StatefulSet ${w.spec.name} successful`,
      atMs,
      { component: 'statefulset-controller' },
    );
  } else {
    rt.events.record(replicaSetRef(w, rev), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.name}`, atMs, {
      component: 'replicaset-controller',
    });
  }
  ensureClaim(rt, w, pod, atMs);
  const unschedulable = unschedulableReason(rt, w, pod);
  if (unschedulable !== undefined) {
    markUnschedulable(rt, w, pod, atMs + rt.rng.int(5, 40), unschedulable);
    return pod;
  }
  rt.events.record(
    podRef(w, pod, false),
    'Normal',
    'Scheduled',
    `Successfully assigned ${w.spec.namespace}/${pod.name} to ${pod.nodeName}`,
    atMs + rt.rng.int(5, 40),
    { component: 'default-scheduler' },
    'Binding',
  );
  observePod(rt, w, pod, atMs);
  return pod;
}

/** Updates the Deployment's Progressing condition. */
export function setProgressing(
  w: WorkloadState,
  atMs: number,
  status: 'True' | 'False',
  reason: string,
  message: string,
): void {
  const p = w.progressing;
  if (p.status !== status) p.lastTransitionMs = atMs;
  p.status = status;
  p.reason = reason;
  p.message = message;
  p.lastUpdateMs = atMs;
}

/** A template like the current one but restarted (`kubectl rollout restart`). */
export function restartedTemplate(w: WorkloadState, atMs: number): Omit<PodTemplate, 'hash'> {
  const { version, image } = currentRevision(w).template;
  return { version, image, restartedAt: k8sTime(atMs) };
}

function trimRevisions(rt: ClusterRuntime, w: WorkloadState, atMs: number): void {
  while (w.revisions.length > REVISION_HISTORY_LIMIT + 1) {
    const old = w.revisions[0];
    if (!old || w.pods.some((p) => p.revision === old)) break;
    w.revisions.shift();
    if (w.spec.kind === 'Deployment') rt.watch.delete('replicasets', renderReplicaSet(w, old), atMs);
  }
}
