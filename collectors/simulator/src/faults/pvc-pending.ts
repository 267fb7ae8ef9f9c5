import { STORAGE_CLASS } from '../k8s/render-claim';
import { failProvisioning, provisionClaim } from '../model/claims';
import type { FaultBehavior } from './fault-behavior';

/** The PV controller's resync: a claim that cannot be provisioned is retried this often. */
const RETRY_MS = 15_000;

/**
 * pvc_pending: the StatefulSet is scaled up by one after its StorageClass was deleted. The new
 * pod's claim (`data-<sts>-<n>`) names the missing class and stays Pending (Warning
 * ProvisioningFailed `storageclass.storage.k8s.io "gp3" not found` every 15 s); the pod stays
 * Pending without a node (FailedScheduling "pod has unbound immediate PersistentVolumeClaims");
 * the StatefulSet shows one replica fewer ready than desired. The existing pods keep serving. At
 * the end the StorageClass is recreated: the volume is provisioned, the claim binds and the pod
 * is scheduled and starts (the StatefulSet keeps its new size).
 */
export const pvcPending: FaultBehavior = {
  unsupported: (w) =>
    w.spec.kind === 'StatefulSet'
      ? undefined
      : `pvc_pending scales a StatefulSet whose new claim cannot be provisioned; ${w.spec.name} is a ${w.spec.kind}`,
  describe: (w) =>
    `${w.spec.name} is scaled to ${w.spec.replicas + 1} replicas after StorageClass ${STORAGE_CLASS} was deleted; claim data-${w.spec.name}-${w.spec.replicas} and its pod stay Pending.`,
  begin(_rt, w) {
    w.storageClassMissing = true;
    w.spec.replicas++;
    w.generation++;
  },
  during(rt, w, { fromMs, toMs }) {
    for (const claim of w.claims ?? []) {
      if (claim.boundMs !== undefined || claim.lastFailedMs === undefined) continue;
      const next = claim.lastFailedMs + RETRY_MS;
      if (next <= toMs) failProvisioning(rt, w, claim, Math.max(next, fromMs));
    }
  },
  end(rt, w, atMs) {
    w.storageClassMissing = false;
    for (const claim of w.claims ?? []) {
      if (claim.boundMs === undefined) provisionClaim(rt, w, claim, atMs + rt.rng.int(500, 3000));
    }
    for (const pod of w.pods) {
      if (pod.unschedulable !== undefined) pod.container.nextAttemptMs = atMs + rt.rng.int(5000, 8000);
    }
  },
};
