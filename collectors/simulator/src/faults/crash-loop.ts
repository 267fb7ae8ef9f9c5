import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/**
 * crash_loop: a new release is rolled out whose manifest lost a required environment variable.
 * Its pods start, log that the variable is not set, exit 1 and end in CrashLoopBackOff; the
 * rollout stalls while the old pods keep serving. At the end a corrected manifest is rolled out.
 */
export const crashLoop: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `crash_loop rolls out a bad ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    if (w.spec.requiredEnv === undefined) {
      return `${w.spec.name} has no required environment variable whose absence would crash it`;
    }
    return undefined;
  },
  describe: (w) =>
    `A new ${w.spec.name} release without the ${w.spec.requiredEnv ?? ''} environment variable crashes at startup (CrashLoopBackOff).`,
  begin(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    const image = `${w.spec.image}:${version}`;
    startRollout(
      rt,
      w,
      atMs,
      { version, image, envOmitted: w.spec.requiredEnv },
      Math.ceil(w.spec.replicas * 0.25),
    );
  },
  end(rt, w, atMs) {
    const { version, image } = currentRevision(w).template;
    startRollout(rt, w, atMs, { version, image }, w.spec.replicas);
  },
};
