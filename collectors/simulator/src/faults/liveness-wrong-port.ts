import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The port the bad manifest's liveness probe names: a management port the app does not open. */
const wrongPort = (w: WorkloadState): number => (w.spec.port === 8081 ? 8082 : 8081);

/**
 * liveness_wrong_port: a new release points the liveness probe at a port nothing listens on.
 * Every new container starts and may even become ready, but each probe fails with "connect:
 * connection refused" (Warning Unhealthy); after three failures the kubelet kills it ("failed
 * liveness probe, will be restarted", exit 143) and restarts it with growing back-off. Restarts
 * rise, the rollout replaces healthy pods with flapping ones and callers see resets. At the end a
 * manifest with the right port is rolled out.
 */
export const livenessWrongPort: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `liveness_wrong_port rolls out a bad ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    const probe = w.spec.livenessProbe;
    if (!probe || probe.type === 'exec') {
      return `${w.spec.name} has no HTTP or TCP liveness probe`;
    }
    return undefined;
  },
  describe: (w) =>
    `A new ${w.spec.name} release points its liveness probe at port ${wrongPort(w)}, where nothing listens; the kubelet keeps killing and restarting its containers.`,
  begin(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(
      rt,
      w,
      atMs,
      { version, image: `${w.spec.image}:${version}`, livenessPort: wrongPort(w) },
      w.spec.replicas,
    );
  },
  end(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
};
