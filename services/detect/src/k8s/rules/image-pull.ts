import { clip, readPod } from '../kube-shapes';
import { containersOf, imageOf, notReadySinceMs, podLabel } from '../pod-containers';
import type { Finding, K8sRule } from '../rule';

/** Waiting reasons of a container whose image cannot be pulled; one anomaly whichever it shows now. */
const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/**
 * image-pull: a container waiting because its image cannot be pulled (ErrImagePull,
 * ImagePullBackOff, InvalidImageName, ErrImageNeverPull) for more than 30 s; the kubelet
 * alternates between the first two, which stay one anomaly.
 */
export const imagePull: K8sRule = {
  kind: 'Pod',
  evaluate(object) {
    const pod = readPod(object);
    const out: Finding[] = [];
    for (const c of containersOf(pod)) {
      const waiting = c.status.state?.waiting;
      const reason = waiting?.reason;
      if (!reason || !PULL_REASONS.has(reason)) continue;
      const image = imageOf(pod, c);
      const what = `${c.label} in ${podLabel(pod)}`;
      out.push({
        key: c.status.name,
        onsetMs: notReadySinceMs(pod),
        graceMs: 30_000,
        severity: 'high',
        title: `${reason}: ${what}${image ? ` (image ${image})` : ''}`,
        explanation: [
          `${what} cannot start: ${reason}.`,
          ...(image ? [`Image: ${image}.`] : []),
          ...(waiting?.message ? [`Message: ${clip(waiting.message, 500)}`] : []),
        ].join(' '),
        field: `${c.field}.state.waiting.reason`,
      });
    }
    return out;
  },
};
