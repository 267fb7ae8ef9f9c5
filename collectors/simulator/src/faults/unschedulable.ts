import { cpuQuantity } from '../k8s/render-pod';
import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The CPU the bad manifest requests: twice what a whole node has (a typo'd `8` for `800m`). */
const hugeRequestMilli = (nodeCpuCores: number): number => nodeCpuCores * 2000;

const requestText = (w: WorkloadState, nodeCpuCores: number): string =>
  `${cpuQuantity(hugeRequestMilli(nodeCpuCores))} CPU (nodes have ${nodeCpuCores} cores, was ${cpuQuantity(w.spec.cpuRequestMilli)})`;

/**
 * unschedulable: a new release requests more CPU than any node has. Its pod stays Pending with
 * no node and PodScheduled False (Unschedulable); the scheduler reports Warning FailedScheduling
 * "0/N nodes are available: N Insufficient cpu. preemption: ..." at each retry (backing off to
 * 5 minutes). The rollout stalls (ProgressDeadlineExceeded after 10 minutes) while the old pods
 * keep serving. At the end a manifest with the usual request is rolled out.
 */
export const unschedulable: FaultBehavior = {
  unsupported: (w) =>
    w.spec.kind === 'Deployment'
      ? undefined
      : `unschedulable rolls out a bad ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`,
  describe: (w, rt) =>
    `A new ${w.spec.name} release requests ${requestText(w, rt.state.spec.nodeCpuCores)}; its pods stay Pending (FailedScheduling: Insufficient cpu).`,
  begin(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    const milli = hugeRequestMilli(rt.state.spec.nodeCpuCores);
    startRollout(
      rt,
      w,
      atMs,
      { version, image: `${w.spec.image}:${version}`, cpuRequestMilli: milli, cpuLimitMilli: milli },
      Math.ceil(w.spec.replicas * 0.25),
    );
  },
  end(rt, w, atMs) {
    const version = nextVersion(currentRevision(w).template.version);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
};
