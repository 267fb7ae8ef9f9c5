import { clip, conditionOf, readNode, timeMs } from '../kube-shapes';
import { FLAP_GUARD_MS, type K8sRule } from '../rule';

/**
 * node-not-ready: a node whose Ready condition is False (the kubelet reports a problem) or
 * Unknown (the node stopped reporting). Kubernetes already waits before marking it, so no grace.
 */
export const nodeNotReady: K8sRule = {
  kind: 'Node',
  evaluate(object) {
    const node = readNode(object);
    const ready = conditionOf(node.status?.conditions, 'Ready');
    if (!ready || ready.status === 'True') return [];
    const why = ready.message || ready.reason || `Ready ${ready.status}`;
    return [
      {
        key: 'ready',
        onsetMs: timeMs(ready.lastTransitionTime),
        severity: 'critical',
        clearAfterMs: FLAP_GUARD_MS,
        title: `NotReady: node ${node.metadata.name} (${clip(why, 120)})`,
        explanation: [
          `Node ${node.metadata.name} is not ready: Ready ${ready.status}`,
          ready.reason ? `, reason ${ready.reason}` : '',
          ready.lastTransitionTime ? `, since ${ready.lastTransitionTime}` : '',
          '.',
          ready.message ? ` Message: ${clip(ready.message, 500)}` : '',
        ].join(''),
        field: 'status.conditions[type=Ready].status',
      },
    ];
  },
};
