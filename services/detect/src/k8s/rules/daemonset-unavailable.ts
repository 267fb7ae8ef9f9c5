import { qualifiedName, readDaemonSet } from '../kube-shapes';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/** A rolling update replaces pods node by node; unavailable pods for longer than this are a problem. */
const GRACE_MS = 3 * 60_000;

/** daemonset-unavailable: a DaemonSet with unavailable pods (numberUnavailable > 0) for three minutes. */
export const daemonSetUnavailable: K8sRule = {
  kind: 'DaemonSet',
  evaluate(object) {
    const d = readDaemonSet(object);
    const desired = d.status?.desiredNumberScheduled ?? 0;
    const available = d.status?.numberAvailable ?? 0;
    const unavailable = d.status?.numberUnavailable ?? Math.max(0, desired - available);
    if (desired === 0 || unavailable <= 0) return [];
    const name = qualifiedName(d.metadata);
    return [
      {
        key: 'available',
        graceMs: GRACE_MS,
        severity: 'medium',
        clearAfterMs: FLAP_GUARD_MS,
        title: `Unavailable: daemonset ${name} (${unavailable}/${desired} nodes unavailable)`,
        explanation: `DaemonSet ${name} should run on ${desired} nodes: ${available} available, ${d.status?.numberReady ?? 0} ready, ${unavailable} unavailable.`,
        field: 'status.numberUnavailable',
      },
    ];
  },
};
