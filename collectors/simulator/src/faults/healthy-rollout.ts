import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/**
 * healthy_rollout (benign): a new version of a Deployment rolls out and completes normally. A
 * new ReplicaSet, Normal ScalingReplicaSet events as it scales up and the old one down, pods
 * replaced (the usual Killing, SuccessfulCreate, Scheduled, Pulling, Pulled, Created, Started),
 * and `service.version` on every signal names the new version. Nothing else changes: the same
 * error rate, latency and resources. The new version stays when the fault ends.
 */
export const healthyRollout: FaultBehavior = {
  benign: true,
  unsupported: (w) =>
    w.spec.kind === 'Deployment'
      ? undefined
      : `healthy_rollout rolls out a new ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`,
  describe: (w) =>
    `${w.spec.name} ${nextVersion(currentRevision(w).template.version)} rolls out and completes normally; nothing else changes.`,
  begin(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
  end: () => undefined,
};
