import { qualifiedName, readStatefulSet } from '../kube-shapes';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/** An ordered rolling update restarts one pod at a time; fewer ready replicas for longer is a problem. */
const GRACE_MS = 3 * 60_000;

/** statefulset-unavailable: a StatefulSet with fewer ready replicas than desired for three minutes. */
export const statefulSetUnavailable: K8sRule = {
  kind: 'StatefulSet',
  evaluate(object) {
    const s = readStatefulSet(object);
    const desired = s.spec?.replicas ?? 1;
    const ready = s.status?.readyReplicas ?? 0;
    if (desired === 0 || ready >= desired) return [];
    const name = qualifiedName(s.metadata);
    return [
      {
        key: 'ready',
        graceMs: GRACE_MS,
        severity: ready === 0 ? 'high' : 'medium',
        clearAfterMs: FLAP_GUARD_MS,
        title: `Unavailable: statefulset ${name} (${ready}/${desired} ready)`,
        explanation: `StatefulSet ${name} has ${ready} of ${desired} replicas ready (${s.status?.replicas ?? 0} exist, ${s.status?.updatedReplicas ?? 0} updated).`,
        field: 'status.readyReplicas',
      },
    ];
  },
};
