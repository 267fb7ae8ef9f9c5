import { k8sTime } from '../clock';
import type { ClaimState, WorkloadState } from '../model/state';
import { appLabels } from './render-pod';
import type { K8sObject } from './types';

/** The StorageClass the fleet's StatefulSets claim volumes from (EBS gp3 through the CSI driver). */
export const STORAGE_CLASS = 'gp3';

/** Renders a StatefulSet pod's PersistentVolumeClaim: Bound to its volume, or Pending. */
export function renderClaim(w: WorkloadState, claim: ClaimState): K8sObject {
  const bound = claim.boundMs !== undefined && claim.volumeName !== undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claim.name,
      namespace: w.spec.namespace,
      uid: claim.uid,
      creationTimestamp: k8sTime(claim.createdMs),
      labels: appLabels(w.spec),
      finalizers: ['kubernetes.io/pvc-protection'],
      ...(bound
        ? {
            annotations: {
              'pv.kubernetes.io/bind-completed': 'yes',
              'pv.kubernetes.io/bound-by-controller': 'yes',
              'volume.beta.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
              'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
            },
          }
        : {}),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '50Gi' } },
      storageClassName: STORAGE_CLASS,
      volumeMode: 'Filesystem',
      ...(bound ? { volumeName: claim.volumeName } : {}),
    },
    status: bound
      ? { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '50Gi' } }
      : { phase: 'Pending' },
  };
}
