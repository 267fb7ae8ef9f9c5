import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The env var the bad manifest adds, and the ConfigMap key it names (which was never created). */
const MISSING = { env: 'FEATURE_FLAGS', key: 'feature-flags' };

const configMapOf = (w: WorkloadState): string => `${w.spec.namespace}/${w.spec.name}-config`;

/**
 * missing_configmap_key: a new release reads an env var from a key its ConfigMap does not have.
 * The kubelet cannot create the container: the new pod stays Pending in
 * CreateContainerConfigError with Warning Failed "Error: couldn't find key feature-flags in
 * ConfigMap ..." at every pod sync; the rollout stalls while the old pods keep serving. At the
 * end a manifest without the reference is rolled out.
 */
export const missingConfigMapKey: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `missing_configmap_key rolls out a bad ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    if (!w.spec.env.some((e) => e.from === 'configMap')) {
      return `${w.spec.name} reads no ConfigMap`;
    }
    return undefined;
  },
  describe: (w) =>
    `A new ${w.spec.name} release reads ${MISSING.env} from key ${MISSING.key} of ConfigMap ${configMapOf(w)}, which has no such key (CreateContainerConfigError).`,
  begin(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(
      rt,
      w,
      atMs,
      { version, image: `${w.spec.image}:${version}`, missingConfigKey: MISSING },
      Math.ceil(w.spec.replicas * 0.25),
    );
  },
  end(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
};
