import { nsFlag } from './kubectl';
import { resourceLimitFixer } from './resource-limit';

/**
 * CPU throttling: raises the throttled container's CPU limit to the analyzer's value (the limit
 * before a cut, else double).
 */
export const cpuLimitFixer = resourceLimitFixer({
  id: 'cpu-limit',
  resource: 'cpu',
  failureModes: ['cpu-throttling'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
  because: (p) => `The container is throttled at its ${p.from} CPU limit, so requests wait for CPU time.`,
  risk: (p) =>
    `Each replica may burst to ${p.to} of CPU and take it from neighbours on the node; the request is unchanged, so scheduling is not affected. Changing the pod template restarts the pods (a rolling update).`,
  commands: (p) => [`kubectl top pods${nsFlag(p)} --containers`],
});
