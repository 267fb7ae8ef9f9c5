import { createPod, deletePod } from '../model/rollout';
import { isLive, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The pod that is deleted: the workload's oldest live pod. */
function victim(w: WorkloadState) {
  return w.pods.filter(isLive).sort((a, b) => a.createdMs - b.createdMs)[0];
}

/**
 * pod_restart (benign): one pod of the workload is deleted, as `kubectl delete pod` or a node
 * drain does, and its ReplicaSet replaces it: Killing and the app's shutdown lines on the old pod,
 * SuccessfulCreate, Scheduled, Pulling/Pulled, Created, Started on the new one, which becomes ready
 * after the app's startup time. The other replicas keep serving, so callers see nothing beyond a
 * connection or two cut at the moment of the kill. Nothing happens when the fault ends.
 */
export const podRestart: FaultBehavior = {
  benign: true,
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `pod_restart has a ReplicaSet replace the pod, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    if (w.spec.replicas < 2) {
      return `${w.spec.name} runs a single replica, so deleting its pod would be an outage, not a routine reschedule`;
    }
    return undefined;
  },
  describe: (w) =>
    `${w.spec.name}'s pod ${victim(w)?.name ?? '?'} is deleted and replaced by its ReplicaSet; the other replicas keep serving.`,
  begin(rt, w, atMs) {
    const pod = victim(w);
    if (!pod) return;
    deletePod(rt, w, pod, atMs);
    createPod(rt, w, pod.revision, atMs + rt.rng.int(20, 200), 0);
  },
  end: () => undefined,
};
