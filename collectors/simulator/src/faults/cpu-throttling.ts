import { cpuQuantity } from '../k8s/render-pod';
import { cpuLimitMilli } from '../model/pods';
import { startRollout } from '../model/rollout';
import { currentRevision, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/**
 * The lowered limit: 40% of what the busiest pod used at the last scrape (so it is throttled
 * whatever the workload's load), rounded down to 10m, at least 10m.
 */
function loweredLimitMilli(w: WorkloadState): number {
  let demand = 0;
  for (const pod of w.pods) {
    if (pod.deletingAtMs !== undefined) continue;
    demand = Math.max(demand, (pod.cpuPressure ?? 0) * cpuLimitMilli(w, pod));
  }
  const fallback = (w.spec.cpuIdleCores + w.spec.cpuPerRequest * 5) * 1000;
  return Math.max(10, Math.floor(((demand || fallback) * 0.4) / 10) * 10);
}

/**
 * cpu_throttling: the same build is rolled out with a much lower CPU limit. Once the new pods
 * serve, demand exceeds the CFS quota: `container_cpu_cfs_throttled_periods_total` climbs towards
 * `container_cpu_cfs_periods_total`, CPU usage flattens at the limit and requests get several
 * times slower up the call graph. No errors, no restarts. At the end the old limit is restored.
 */
export const cpuThrottling: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `cpu_throttling rolls out a new ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    if (w.spec.cpuLimitMilli <= 0) return `${w.spec.name} has no CPU limit to lower`;
    if (w.spec.endpoints.length === 0) return `${w.spec.name} serves no requests whose latency would show it`;
    return undefined;
  },
  describe: (w) =>
    `${w.spec.name}'s CPU limit is lowered from ${cpuQuantity(w.spec.cpuLimitMilli)} to ${cpuQuantity(loweredLimitMilli(w))}; its containers are CPU-throttled and requests slow down.`,
  begin(rt, w, atMs) {
    const { version, image } = currentRevision(w).template;
    const cpuLimitMilli = loweredLimitMilli(w);
    const cpuRequestMilli = Math.min(w.spec.cpuRequestMilli, cpuLimitMilli);
    startRollout(rt, w, atMs, { version, image, cpuLimitMilli, cpuRequestMilli }, w.spec.replicas);
  },
  end(rt, w, atMs) {
    const { version, image } = currentRevision(w).template;
    startRollout(rt, w, atMs, { version, image }, w.spec.replicas);
  },
};
