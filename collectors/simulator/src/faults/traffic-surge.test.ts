import { beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, flatLogs, flatPoints, flatSpans, type FlatPoint } from '../testing/captured-signals';
import { counterIncrease, meanLatency, requestsWithStatus, warningEvents } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'catalog-api' };
const MINUTE = 60_000;

/** Requests per second a service answered in (fromMs, toMs], from its RED counters. */
function rate(points: readonly FlatPoint[], service: string, fromMs: number, toMs: number): number {
  const n = counterIncrease(points, 'http_server_requests_total', target.cluster, service, fromMs, toMs);
  return n / ((toMs - fromMs) / 1000);
}

/** CPU cores a service used in (fromMs, toMs]. */
function cores(points: readonly FlatPoint[], service: string, fromMs: number, toMs: number): number {
  const s = counterIncrease(
    points,
    'container_cpu_usage_seconds_total',
    target.cluster,
    service,
    fromMs,
    toMs,
  );
  return s / ((toMs - fromMs) / 1000);
}

describe('traffic_surge', () => {
  let s: FaultScenario;
  let all: FlatPoint[];
  beforeAll(async () => {
    s = await runFaultScenario(
      { kind: 'traffic_surge', target, durationSeconds: 300 },
      { warmupMs: 120_000, afterMs: 180_000 },
    );
    all = flatPoints([...s.before, ...s.during, ...s.after]);
  });

  it('says what it does', () => {
    expect(s.fault.description).toBe(
      'catalog-api receives two to three times its normal request rate; it copes without errors.',
    );
  });

  it('doubles to triples the requests the workload and its caller serve, and its CPU', () => {
    const start = s.fault.startMs;
    const before = { from: start - 90_000, to: start };
    const full = { from: start + 1.5 * MINUTE, to: start + 4.5 * MINUTE };
    const ratio = (f: typeof rate, service: string): number =>
      f(all, service, full.from, full.to) / f(all, service, before.from, before.to);
    expect(ratio(rate, 'catalog-api')).toBeGreaterThan(1.8);
    expect(ratio(rate, 'catalog-api')).toBeLessThan(3.4);
    // Two thirds of the storefront's requests call catalog-api.
    expect(ratio(rate, 'storefront')).toBeGreaterThan(1.5);
    expect(ratio(cores, 'catalog-api')).toBeGreaterThan(1.6);
    const spans = (from: number, to: number): number =>
      flatSpans([...s.before, ...s.during]).filter(
        (sp) =>
          sp.resource['k8s.cluster.name'] === target.cluster &&
          sp.resource['service.name'] === 'catalog-api' &&
          sp.kind === 2 &&
          sp.startMs > from &&
          sp.startMs <= to,
      ).length /
      (to - from);
    expect(spans(full.from, full.to) / spans(before.from, before.to)).toBeGreaterThan(1.8);
    const accessLines = (from: number, to: number): number =>
      containerLogs(flatLogs([...s.before, ...s.during])).filter(
        (l) =>
          l.resource['k8s.cluster.name'] === target.cluster &&
          l.resource['service.name'] === 'storefront' &&
          l.attributes['log.iostream'] === 'stdout' &&
          l.timeMs > from &&
          l.timeMs <= to,
      ).length /
      (to - from);
    expect(accessLines(full.from, full.to) / accessLines(before.from, before.to)).toBeGreaterThan(1.5);
  });

  it('slows requests only slightly, with no errors and no Warning events', () => {
    const before = meanLatency(flatPoints(s.before), target.cluster, 'catalog-api');
    const during = meanLatency(flatPoints(s.during), target.cluster, 'catalog-api');
    expect(during).toBeGreaterThanOrEqual(before * 0.95);
    expect(during).toBeLessThan(before * 1.5);
    for (const service of ['catalog-api', 'storefront'])
      expect(requestsWithStatus(flatPoints(s.during), target.cluster, service, '5')).toEqual([]);
    expect(warningEvents(flatLogs(s.during), target.cluster)).toEqual([]);
  });

  it('ramps back to the normal rate when it ends', () => {
    const end = s.fault.endMs;
    const before = rate(all, 'catalog-api', s.fault.startMs - 90_000, s.fault.startMs);
    const late = rate(all, 'catalog-api', end + 1.5 * MINUTE, end + 3 * MINUTE);
    expect(late / before).toBeGreaterThan(0.7);
    expect(late / before).toBeLessThan(1.3);
  });
});
