import { clip, readPod } from '../kube-shapes';
import { containersOf, notReadySinceMs, podLabel } from '../pod-containers';
import type { Finding, K8sRule } from '../rule';

/** Waiting reasons of a container the kubelet cannot create or start from its spec. */
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * container-config-error: a container that cannot be created from its spec for more than 30 s
 * (CreateContainerConfigError: a missing ConfigMap, Secret or key; CreateContainerError,
 * RunContainerError).
 */
export const containerConfigError: K8sRule = {
  kind: 'Pod',
  evaluate(object) {
    const pod = readPod(object);
    const out: Finding[] = [];
    for (const c of containersOf(pod)) {
      const waiting = c.status.state?.waiting;
      const reason = waiting?.reason;
      if (!reason || !CONFIG_REASONS.has(reason)) continue;
      const what = `${c.label} in ${podLabel(pod)}`;
      out.push({
        key: c.status.name,
        onsetMs: notReadySinceMs(pod),
        graceMs: 30_000,
        severity: 'high',
        title: `${reason}: ${what}`,
        explanation: [
          `${what} cannot be created: ${reason}.`,
          ...(waiting?.message ? [`Message: ${clip(waiting.message, 500)}`] : []),
        ].join(' '),
        field: `${c.field}.state.waiting.reason`,
      });
    }
    return out;
  },
};
