import { clip, conditionOf, qualifiedName, readDeployment, timeMs } from '../kube-shapes';
import type { K8sRule } from '../rule';

/** A rollout that made no progress (Progressing lastUpdateTime) for this long is stalled. */
const NO_PROGRESS_MS = 5 * 60_000;
/** The controller has not observed a new generation for this long. */
const UNOBSERVED_MS = 2 * 60_000;
const ROLLING = new Set(['ReplicaSetUpdated', 'NewReplicaSetCreated', 'FoundNewReplicaSet']);

/**
 * rollout-stalled: a Deployment rollout that does not converge: Progressing False with
 * ProgressDeadlineExceeded; or still rolling with no progress for five minutes; or a spec
 * generation the controller has not observed for two minutes. Paused Deployments are skipped.
 */
export const rolloutStalled: K8sRule = {
  kind: 'Deployment',
  evaluate(object) {
    const d = readDeployment(object);
    if (d.spec?.paused === true) return [];
    const status = d.status;
    const desired = d.spec?.replicas ?? 1;
    const name = qualifiedName(d.metadata);
    const progress = `${status?.updatedReplicas ?? 0}/${desired} updated, ${status?.availableReplicas ?? 0} available`;
    const progressing = conditionOf(status?.conditions, 'Progressing');
    const field = 'status.conditions[type=Progressing].reason';
    const detail = progressing?.message ? ` ${clip(progressing.message, 300)}` : '';
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      return [
        {
          key: 'rollout',
          onsetMs: timeMs(progressing.lastTransitionTime),
          severity: 'high',
          title: `Rollout stalled: deployment ${name} (ProgressDeadlineExceeded, ${progress})`,
          explanation: `Deployment ${name} exceeded its progress deadline${progressing.lastTransitionTime ? ` at ${progressing.lastTransitionTime}` : ''}: ${progress}.${detail}`,
          field,
        },
      ];
    }
    const lastProgressMs = timeMs(progressing?.lastUpdateTime);
    if (progressing?.status === 'True' && ROLLING.has(progressing.reason ?? '') && lastProgressMs) {
      const converged =
        (status?.updatedReplicas ?? 0) >= desired && (status?.availableReplicas ?? 0) >= desired;
      if (!converged) {
        return [
          {
            key: 'rollout',
            onsetMs: lastProgressMs,
            graceMs: NO_PROGRESS_MS,
            severity: 'medium',
            title: `Rollout stalled: deployment ${name} (no progress since ${progressing.lastUpdateTime ?? '?'}, ${progress})`,
            explanation: `Deployment ${name} is rolling out (${progressing.reason ?? ''}) but made no progress since ${progressing.lastUpdateTime ?? '?'}: ${progress}.${detail}`,
            field: 'status.conditions[type=Progressing].lastUpdateTime',
          },
        ];
      }
    }
    const generation = d.metadata.generation;
    const observed = status?.observedGeneration;
    if (typeof generation === 'number' && typeof observed === 'number' && observed < generation) {
      return [
        {
          key: 'rollout',
          graceMs: UNOBSERVED_MS,
          severity: 'medium',
          title: `Rollout stalled: deployment ${name} (generation ${generation} not observed, at ${observed})`,
          explanation: `The deployment controller has not observed generation ${generation} of Deployment ${name} (observedGeneration ${observed}).`,
          field: 'status.observedGeneration',
        },
      ];
    }
    return [];
  },
};
