import { beforeAll, describe, expect, it } from 'vitest';
import { flatPoints, text, type FlatPoint } from '../testing/captured-signals';
import { meanLatency } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-us', namespace: 'shop', workload: 'checkout-api' };

/** Throttled periods over all periods of the workload's containers, from counter increments. */
function throttledShare(points: readonly FlatPoint[]): number {
  const total = (name: string): number => {
    const bySeries = new Map<string, number[]>();
    for (const p of points) {
      if (p.name !== name || p.resource['k8s.cluster.name'] !== target.cluster) continue;
      if (p.resource['k8s.deployment.name'] !== target.workload) continue;
      const key = text(p.resource['k8s.pod.uid']) + String(p.startMs);
      bySeries.set(key, [...(bySeries.get(key) ?? []), p.value]);
    }
    let sum = 0;
    for (const v of bySeries.values()) sum += (v[v.length - 1] ?? 0) - (v[0] ?? 0);
    return sum;
  };
  const periods = total('container_cpu_cfs_periods_total');
  return periods === 0 ? 0 : total('container_cpu_cfs_throttled_periods_total') / periods;
}

describe('cpu_throttling', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario(
      { kind: 'cpu_throttling', target, durationSeconds: 300 },
      { warmupMs: 60_000 },
    );
  });

  it('says what it does', () => {
    expect(s.fault.description).toMatch(/^checkout-api's CPU limit is lowered from 1 to \d+m/);
  });

  it('lowers the limit and throttles most CFS periods', () => {
    const limits = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_resource_limits' &&
        p.attributes['resource'] === 'cpu' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(Math.min(...limits.map((p) => p.value))).toBeLessThan(0.5);
    expect(throttledShare(flatPoints(s.before))).toBeLessThan(0.05);
    expect(throttledShare(flatPoints(s.during))).toBeGreaterThan(0.3);
  });

  it('slows the workload and its callers', () => {
    const points = { before: flatPoints(s.before), during: flatPoints(s.during) };
    for (const service of ['checkout-api', 'storefront']) {
      const before = meanLatency(points.before, target.cluster, service);
      expect(meanLatency(points.during, target.cluster, service)).toBeGreaterThan(before * 1.5);
    }
  });

  it('stops throttling once the limit is restored', () => {
    const late = flatPoints(s.after).filter((p) => p.timeMs > s.fault.endMs + 60_000);
    expect(throttledShare(late)).toBeLessThan(0.05);
  });
});
