import { clip, readNode, timeMs } from '../kube-shapes';
import { FLAP_GUARD_MS, type Finding, type K8sRule } from '../rule';

/** Node conditions that mean trouble when True; the kubelet evicts pods under them. */
const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** node-pressure: a node reporting MemoryPressure, DiskPressure or PIDPressure True, one anomaly each. */
export const nodePressure: K8sRule = {
  kind: 'Node',
  evaluate(object) {
    const node = readNode(object);
    const out: Finding[] = [];
    for (const type of PRESSURES) {
      const c = node.status?.conditions?.find((x) => x.type === type);
      if (c?.status !== 'True') continue;
      out.push({
        key: type,
        onsetMs: timeMs(c.lastTransitionTime),
        severity: 'high',
        clearAfterMs: FLAP_GUARD_MS,
        title: `${type}: node ${node.metadata.name}`,
        explanation: [
          `Node ${node.metadata.name} reports ${type} True`,
          c.reason ? `, reason ${c.reason}` : '',
          c.lastTransitionTime ? `, since ${c.lastTransitionTime}` : '',
          '.',
          c.message ? ` Message: ${clip(c.message, 500)}` : '',
        ].join(''),
        field: `status.conditions[type=${type}].status`,
      });
    }
    return out;
  },
};
