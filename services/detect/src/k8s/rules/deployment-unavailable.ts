import { clip, conditionOf, qualifiedName, readDeployment, timeMs } from '../kube-shapes';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/** Fewer available replicas than desired outside a rollout, for this long. */
const SHORT_GRACE_MS = 2 * 60_000;
/** Progressing reasons of a rollout under way (the rollout-stalled rule watches those). */
const ROLLING = new Set(['ReplicaSetUpdated', 'NewReplicaSetCreated', 'FoundNewReplicaSet']);

/**
 * deployment-unavailable: a Deployment without minimum availability (Available False), or with
 * fewer available replicas than desired for two minutes while no rollout is progressing.
 */
export const deploymentUnavailable: K8sRule = {
  kind: 'Deployment',
  evaluate(object) {
    const d = readDeployment(object);
    const desired = d.spec?.replicas ?? 1;
    if (desired === 0) return [];
    const status = d.status;
    const availableNow = status?.availableReplicas ?? 0;
    const available = conditionOf(status?.conditions, 'Available');
    const progressing = conditionOf(status?.conditions, 'Progressing');
    const name = qualifiedName(d.metadata);
    const counts = `${availableNow}/${desired} available`;
    const unavailable = status?.unavailableReplicas ? `, ${status.unavailableReplicas} unavailable` : '';
    if (available?.status === 'False') {
      return [
        {
          key: 'available',
          onsetMs: timeMs(available.lastTransitionTime),
          severity: 'high',
          clearAfterMs: FLAP_GUARD_MS,
          title: `Unavailable: deployment ${name} (${counts})`,
          explanation:
            `Deployment ${name} does not have minimum availability (Available False` +
            `${available.reason ? `, ${available.reason}` : ''}${available.lastTransitionTime ? ` since ${available.lastTransitionTime}` : ''}): ` +
            `${counts}${unavailable}.${available.message ? ` ${clip(available.message, 300)}` : ''}`,
          field: 'status.conditions[type=Available].status',
        },
      ];
    }
    const rolling = progressing?.status === 'True' && ROLLING.has(progressing.reason ?? '');
    if (rolling || availableNow >= desired) return [];
    return [
      {
        key: 'available',
        graceMs: SHORT_GRACE_MS,
        severity: 'medium',
        clearAfterMs: FLAP_GUARD_MS,
        title: `Degraded: deployment ${name} (${counts})`,
        explanation: `Deployment ${name} has ${counts}${unavailable}, with no rollout in progress.`,
        field: 'status.availableReplicas',
      },
    ];
  },
};
