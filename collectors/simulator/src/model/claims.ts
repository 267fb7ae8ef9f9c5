import { STORAGE_CLASS } from '../k8s/render-claim';
import type { InvolvedObject } from '../k8s/types';
import type { ClusterRuntime } from './runtime';
import type { ClaimState, PodState, WorkloadState } from './state';

const PV_CONTROLLER = { component: 'persistentvolume-controller' };

/** The claim a StatefulSet pod mounts (`data-<pod>`), if the workload has claims. */
export function claimOf(w: WorkloadState, pod: PodState): ClaimState | undefined {
  return w.claims?.find((c) => c.name === `data-${pod.name}`);
}

function claimRef(w: WorkloadState, claim: ClaimState): InvolvedObject {
  return {
    kind: 'PersistentVolumeClaim',
    name: claim.name,
    uid: claim.uid,
    apiVersion: 'v1',
    namespace: w.spec.namespace,
  };
}

/** The PV controller cannot provision the claim: its StorageClass does not exist. */
export function failProvisioning(
  rt: ClusterRuntime,
  w: WorkloadState,
  claim: ClaimState,
  atMs: number,
): void {
  claim.lastFailedMs = atMs;
  rt.events.record(
    claimRef(w, claim),
    'Warning',
    'ProvisioningFailed',
    `storageclass.storage.k8s.io "${STORAGE_CLASS}" not found`,
    atMs,
    PV_CONTROLLER,
  );
}

/** The EBS CSI driver provisions a volume for the claim at `atMs` and the claim binds moments later. */
export function provisionClaim(rt: ClusterRuntime, w: WorkloadState, claim: ClaimState, atMs: number): void {
  const source = {
    component: `ebs.csi.aws.com_ebs-csi-controller-${rt.rng.k8sSuffix(10)}-${rt.rng.k8sSuffix(5)}`,
  };
  const ref = claimRef(w, claim);
  rt.events.record(
    ref,
    'Normal',
    'Provisioning',
    `External provisioner is provisioning volume for claim "${w.spec.namespace}/${claim.name}"`,
    atMs,
    source,
  );
  claim.volumeName = `pvc-${claim.uid}`;
  claim.boundMs = atMs + rt.rng.int(1500, 4000);
  rt.events.record(
    ref,
    'Normal',
    'ProvisioningSucceeded',
    `Successfully provisioned volume ${claim.volumeName}`,
    claim.boundMs,
    source,
  );
}

/**
 * The StatefulSet controller creates the claim of a new pod before the pod (SuccessfulCreate
 * "create Claim ..."); it is provisioned at once unless its StorageClass is gone.
 */
export function ensureClaim(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  if (!w.claims || claimOf(w, pod)) return;
  const claim: ClaimState = { name: `data-${pod.name}`, uid: rt.rng.uuid(), createdMs: atMs };
  w.claims.push(claim);
  rt.events.record(
    {
      kind: 'StatefulSet',
      name: w.spec.name,
      uid: w.uid,
      apiVersion: 'apps/v1',
      namespace: w.spec.namespace,
    },
    'Normal',
    'SuccessfulCreate',
    `create Claim ${claim.name} Pod ${pod.name} in StatefulSet ${w.spec.name} success`,
    atMs,
    { component: 'statefulset-controller' },
  );
  if (w.storageClassMissing) failProvisioning(rt, w, claim, atMs + rt.rng.int(20, 200));
  else provisionClaim(rt, w, claim, atMs + rt.rng.int(20, 200));
}
