import { clip, conditionOf, qualifiedName, readHpa, timeMs } from '../kube-shapes';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/** Reaching the maximum for a moment during a spike is what autoscaling is for; staying there is not. */
const GRACE_MS = 2 * 60_000;

/**
 * hpa-at-max: a HorizontalPodAutoscaler at its maximum replicas (currentReplicas == maxReplicas, or
 * ScalingLimited True with TooManyReplicas) for two minutes. HPAs whose minimum equals their
 * maximum are always there and are skipped.
 */
export const hpaAtMax: K8sRule = {
  kind: 'HorizontalPodAutoscaler',
  evaluate(object) {
    const hpa = readHpa(object);
    const max = hpa.spec?.maxReplicas;
    if (typeof max !== 'number' || max <= (hpa.spec?.minReplicas ?? 1)) return [];
    const current = hpa.status?.currentReplicas ?? 0;
    const limited = conditionOf(hpa.status?.conditions, 'ScalingLimited');
    const limitedUp = limited?.status === 'True' && limited.reason === 'TooManyReplicas';
    if (current < max && !limitedUp) return [];
    const name = qualifiedName(hpa.metadata);
    return [
      {
        key: 'max',
        onsetMs: limitedUp ? timeMs(limited.lastTransitionTime) : undefined,
        graceMs: GRACE_MS,
        severity: 'low',
        clearAfterMs: FLAP_GUARD_MS,
        title: `HPA at max: ${name} (${current}/${max} replicas)`,
        explanation:
          `HorizontalPodAutoscaler ${name} runs ${current} replicas, its maximum is ${max}` +
          `${hpa.status?.desiredReplicas != null ? ` (desired ${hpa.status.desiredReplicas})` : ''}: it cannot scale further.` +
          `${limited?.message ? ` ScalingLimited ${limited.status}: ${clip(limited.message, 300)}` : ''}`,
        field: limitedUp ? 'status.conditions[type=ScalingLimited].reason' : 'status.currentReplicas',
      },
    ];
  },
};
