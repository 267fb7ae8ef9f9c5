import { clip, conditionOf, readPod, timeMs } from '../kube-shapes';
import { podLabel } from '../pod-containers';
import type { K8sRule } from '../rule';

/** An eviction older than this when seen is history (evicted pods linger until garbage-collected). */
const STALE_MS = 60 * 60_000;

/**
 * evicted: a pod the kubelet evicted (phase Failed, reason Evicted), typically for node memory or
 * disk pressure. Ends when the pod is deleted, or an hour after the eviction.
 */
export const evicted: K8sRule = {
  kind: 'Pod',
  evaluate(object, ctx) {
    const pod = readPod(object);
    if (pod.status?.phase !== 'Failed' || pod.status.reason !== 'Evicted') return [];
    const disruption = conditionOf(pod.status.conditions, 'DisruptionTarget');
    const finished = (pod.status.containerStatuses ?? [])
      .map((c) => timeMs(c.state?.terminated?.finishedAt))
      .filter((t): t is number => t !== undefined);
    const onsetMs =
      timeMs(disruption?.lastTransitionTime) ?? (finished.length ? Math.max(...finished) : undefined);
    if (onsetMs !== undefined && ctx.nowMs - onsetMs > STALE_MS) return [];
    const message = pod.status.message ? clip(pod.status.message, 500) : '';
    return [
      {
        key: 'eviction',
        onsetMs,
        severity: 'medium',
        title: `Evicted: ${podLabel(pod)}${message ? ` (${clip(message, 120)})` : ''}`,
        explanation: `${podLabel(pod)} was evicted${pod.spec?.nodeName ? ` from node ${pod.spec.nodeName}` : ''}.${message ? ` Message: ${message}` : ''}`,
        field: 'status.reason',
      },
    ];
  },
};
