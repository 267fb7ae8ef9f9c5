import { replicaSetRef, workloadRef } from '../k8s/refs';
import { createPod, deletePod, setProgressing } from './rollout';
import type { ClusterRuntime } from './runtime';
import type { PodState, WorkloadState } from './state';
import { currentRevision, isLive } from './state';

const PROGRESS_DEADLINE_MS = 600_000;

const live = (w: WorkloadState): PodState[] => w.pods.filter(isLive);

/**
 * Outside a rollout, the Deployment controller keeps the current ReplicaSet at the Deployment's
 * replicas (an HPA changes them): it scales the ReplicaSet up (new pods) or down (the newest
 * pods, unready ones first).
 */
function scaleDeployment(rt: ClusterRuntime, w: WorkloadState, atMs: number): void {
  if (w.rolloutStartedMs !== undefined) return;
  const current = currentRevision(w);
  const fresh = live(w).filter((p) => p.revision === current);
  const want = w.spec.replicas;
  if (fresh.length === want) return;
  current.replicas = want;
  const verb = fresh.length < want ? 'up' : 'down';
  rt.events.record(
    workloadRef(w),
    'Normal',
    'ScalingReplicaSet',
    `Scaled ${verb} replica set ${current.name} to ${want}`,
    atMs,
    { component: 'deployment-controller' },
  );
  for (let i = fresh.length; i < want; i++) createPod(rt, w, current, atMs + 20 + (i - fresh.length) * 40, i);
  const doomed = [...fresh]
    .sort((a, b) => Number(a.container.ready) - Number(b.container.ready) || b.createdMs - a.createdMs)
    .slice(0, Math.max(0, fresh.length - want));
  for (const pod of doomed) {
    deletePod(rt, w, pod, atMs);
    rt.events.record(
      replicaSetRef(w, current),
      'Normal',
      'SuccessfulDelete',
      `Deleted pod: ${pod.name}`,
      atMs,
      {
        component: 'replicaset-controller',
      },
    );
  }
}

/** The Deployment controller at `atMs`: scale old ReplicaSets down as the new one becomes ready. */
function reconcileDeployment(rt: ClusterRuntime, w: WorkloadState, atMs: number): void {
  scaleDeployment(rt, w, atMs);
  const current = currentRevision(w);
  const pods = live(w);
  const fresh = pods.filter((p) => p.revision === current);
  const old = pods.filter((p) => p.revision !== current);
  const freshReady = fresh.filter((p) => p.container.ready).length;
  const controller = { component: 'deployment-controller' };
  if (w.rolloutStartedMs !== undefined && current.replicas >= w.spec.replicas) {
    // Unready old pods go first; ready ones as soon as a new pod can take their place.
    const keep = Math.max(0, w.spec.replicas - freshReady);
    const doomed = [...old.filter((p) => !p.container.ready), ...old.filter((p) => p.container.ready)];
    const excess = doomed.slice(0, Math.max(0, old.length - keep));
    for (const pod of excess) {
      deletePod(rt, w, pod, atMs);
      const left = live(w).filter((p) => p.revision === pod.revision).length;
      pod.revision.replicas = left;
      rt.events.record(
        workloadRef(w),
        'Normal',
        'ScalingReplicaSet',
        `Scaled down replica set ${pod.revision.name} to ${left}`,
        atMs,
        controller,
      );
      rt.events.record(
        replicaSetRef(w, pod.revision),
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${pod.name}`,
        atMs,
        { component: 'replicaset-controller' },
      );
    }
    if (old.length === excess.length && freshReady >= w.spec.replicas) {
      w.rolloutStartedMs = undefined;
      setProgressing(
        w,
        atMs,
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${current.name}" has successfully progressed.`,
      );
    }
  } else if (
    w.rolloutStartedMs !== undefined &&
    atMs - w.rolloutStartedMs > PROGRESS_DEADLINE_MS &&
    w.progressing.reason !== 'ProgressDeadlineExceeded'
  ) {
    setProgressing(
      w,
      atMs,
      'False',
      'ProgressDeadlineExceeded',
      `ReplicaSet "${current.name}" has timed out progressing.`,
    );
  }
  const available = live(w).filter((p) => p.container.ready).length;
  const minAvailable = w.spec.replicas - Math.floor(w.spec.replicas * 0.25);
  const ok = available >= minAvailable;
  const a = w.available;
  if ((a.status === 'True') !== ok) {
    a.status = ok ? 'True' : 'False';
    a.reason = ok ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable';
    a.message = ok
      ? 'Deployment has minimum availability.'
      : 'Deployment does not have minimum availability.';
    a.lastTransitionMs = atMs;
    a.lastUpdateMs = atMs;
  }
}

/** The StatefulSet controller at `atMs`: replace pods of an old revision one at a time, same name. */
function reconcileStatefulSet(rt: ClusterRuntime, w: WorkloadState, atMs: number): void {
  const current = currentRevision(w);
  for (let ordinal = w.spec.replicas - 1; ordinal >= 0; ordinal--) {
    const name = `${w.spec.name}-${ordinal}`;
    const pod =
      w.pods.find((p) => p.name === name && p.goneAtMs === undefined) ?? w.pods.find((p) => p.name === name);
    if (!pod) {
      createPod(rt, w, current, atMs, ordinal);
      return;
    }
    if (pod.revision === current) continue;
    if (pod.deletingAtMs === undefined) {
      deletePod(rt, w, pod, atMs);
      rt.events.record(
        workloadRef(w),
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${name} in StatefulSet ${w.spec.name} successful`,
        atMs,
        { component: 'statefulset-controller' },
      );
      return;
    }
    if (pod.goneAtMs !== undefined && pod.goneAtMs <= atMs) {
      w.pods = w.pods.filter((p) => p !== pod);
      createPod(rt, w, current, Math.max(atMs - 1000, pod.goneAtMs + 500), ordinal);
    }
    return;
  }
  if (w.rolloutStartedMs !== undefined && live(w).every((p) => p.revision === current && p.container.ready))
    w.rolloutStartedMs = undefined;
}

/** Runs the workload controllers of a cluster at the end of a tick, then forgets pods that are gone. */
export function reconcileCluster(rt: ClusterRuntime, atMs: number): void {
  for (const w of rt.state.workloads) {
    if (w.spec.kind === 'Deployment') reconcileDeployment(rt, w, atMs);
    else reconcileStatefulSet(rt, w, atMs);
  }
}

/** Pods whose objects were removed by `atMs`; they leave the model (and their metric series). */
export function removeGonePods(
  rt: ClusterRuntime,
  atMs: number,
): { workload: WorkloadState; pod: PodState }[] {
  const gone: { workload: WorkloadState; pod: PodState }[] = [];
  for (const w of rt.state.workloads) {
    w.pods = w.pods.filter((pod) => {
      const isGone = pod.goneAtMs !== undefined && pod.goneAtMs <= atMs;
      if (isGone) gone.push({ workload: w, pod });
      return !isGone;
    });
  }
  return gone;
}
