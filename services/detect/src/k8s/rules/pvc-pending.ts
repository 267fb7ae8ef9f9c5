import { qualifiedName, readPvc, timeMs } from '../kube-shapes';
import type { K8sRule } from '../rule';

/** Provisioning a volume takes seconds to a minute; longer is a problem (or WaitForFirstConsumer). */
const PENDING_GRACE_MS = 2 * 60_000;

/**
 * pvc-pending: a PersistentVolumeClaim still Pending two minutes after it was created, or Lost
 * (its volume is gone). A claim whose storage class binds on first use stays Pending until a pod
 * uses it, and is reported too.
 */
export const pvcPending: K8sRule = {
  kind: 'PersistentVolumeClaim',
  evaluate(object) {
    const pvc = readPvc(object);
    const phase = pvc.status?.phase;
    if (phase !== 'Pending' && phase !== 'Lost') return [];
    const name = qualifiedName(pvc.metadata);
    const storageClass = pvc.spec?.storageClassName;
    const lost = phase === 'Lost';
    return [
      {
        key: 'phase',
        onsetMs: lost ? undefined : timeMs(pvc.metadata.creationTimestamp),
        graceMs: lost ? 0 : PENDING_GRACE_MS,
        severity: lost ? 'high' : 'medium',
        title: `PVC ${phase}: ${name}${storageClass ? ` (storage class ${storageClass})` : ''}`,
        explanation: lost
          ? `PersistentVolumeClaim ${name} is Lost: its volume ${pvc.spec?.volumeName ?? ''} no longer exists.`
          : `PersistentVolumeClaim ${name} is Pending since ${pvc.metadata.creationTimestamp ?? 'it was first seen'}` +
            `${storageClass ? `, storage class ${storageClass}` : ', no storage class'}: no volume is bound.`,
        field: 'status.phase',
      },
    ];
  },
};
