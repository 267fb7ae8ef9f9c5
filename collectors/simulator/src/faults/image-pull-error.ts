import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

const BAD = '-bad';

/**
 * image_pull_error: a rollout points at an image tag that does not exist in the registry. The new
 * pods stay Pending in ErrImagePull / ImagePullBackOff, the rollout stalls (and after 10 minutes
 * reports ProgressDeadlineExceeded) while the old pods keep serving. At the end the right tag is
 * rolled out.
 */
export const imagePullError: FaultBehavior = {
  unsupported: (w) =>
    w.spec.kind === 'Deployment'
      ? undefined
      : `image_pull_error rolls out a bad ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`,
  describe: (w) =>
    `${w.spec.name} is rolled out with an image tag that does not exist (ErrImagePull, ImagePullBackOff).`,
  begin(rt, w, atMs) {
    const version = `${nextVersion(currentRevision(w).template.version)}${BAD}`;
    startRollout(
      rt,
      w,
      atMs,
      { version, image: `${w.spec.image}:${version}`, pullError: true },
      Math.ceil(w.spec.replicas * 0.25),
    );
  },
  end(rt, w, atMs) {
    const bad = currentRevision(w).template.version;
    const version = bad.endsWith(BAD) ? bad.slice(0, -BAD.length) : nextVersion(bad);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
};
