import { nsFlag } from './kubectl';
import { resourceLimitFixer, WORKLOAD_KINDS } from './resource-limit';

/**
 * OOMKilled containers and containers about to be: raises the memory limit to the analyzer's
 * value (pod-crash: max(1.5× the limit, 1.25× the observed peak); pod-memory: 1.5× the limit).
 */
export const memoryLimitFixer = resourceLimitFixer({
  id: 'memory-limit',
  resource: 'memory',
  failureModes: ['oom-killed', 'memory-near-limit'],
  kinds: WORKLOAD_KINDS,
  because: (p) =>
    `The container's working set reaches its ${p.from} memory limit, where the kernel OOMKills it.`,
  risk: (p) =>
    `Each replica may use up to ${p.to} of memory; the request is unchanged, so the scheduler reserves no more and a node under memory pressure evicts pods above their request first. If the memory use grows without bound (a leak), this only delays the next OOMKill. Changing the pod template restarts the pods (a rolling update).`,
  commands: (p, container) => [
    `kubectl top pods${nsFlag(p)} --containers`,
    `kubectl get pods${nsFlag(p)} -o jsonpath='{range .items[*]}{.metadata.name}{" restarts="}{.status.containerStatuses[?(@.name=="${container}")].restartCount}{" last="}{.status.containerStatuses[?(@.name=="${container}")].lastState.terminated.reason}{"\\n"}{end}'`,
  ],
});
