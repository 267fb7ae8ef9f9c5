import { clip, conditionOf, readPod, timeMs } from '../kube-shapes';
import { podLabel } from '../pod-containers';
import type { K8sRule } from '../rule';

/**
 * unschedulable: a pod the scheduler cannot place (PodScheduled False, reason Unschedulable) for
 * more than 30 s, so that a pod waiting a moment for a node scaling up is not reported.
 */
export const unschedulable: K8sRule = {
  kind: 'Pod',
  evaluate(object) {
    const pod = readPod(object);
    const scheduled = conditionOf(pod.status?.conditions, 'PodScheduled');
    if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return [];
    if (pod.metadata.deletionTimestamp) return [];
    const message = scheduled.message ? clip(scheduled.message, 500) : '';
    return [
      {
        key: 'scheduling',
        onsetMs: timeMs(scheduled.lastTransitionTime),
        graceMs: 30_000,
        severity: 'medium',
        title: `Unschedulable: ${podLabel(pod)}${message ? ` (${clip(message, 120)})` : ''}`,
        explanation: [
          `${podLabel(pod)} is ${pod.status?.phase ?? 'Pending'} and cannot be scheduled (PodScheduled False, reason Unschedulable)`,
          scheduled.lastTransitionTime ? ` since ${scheduled.lastTransitionTime}.` : '.',
          message ? ` Scheduler: ${message}` : '',
        ].join(''),
        field: 'status.conditions[type=PodScheduled].reason',
      },
    ];
  },
};
