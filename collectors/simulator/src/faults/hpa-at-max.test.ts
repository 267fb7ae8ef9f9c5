import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  flatLogs,
  flatPoints,
  flatSpans,
  podRecords,
  text,
  watchRecords,
  type FlatLog,
  type FlatPoint,
  type WatchRecord,
} from '../testing/captured-signals';
import { eventsOf, livePods, meanLatency, requestsWithStatus } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'catalog-api' };
const MINUTE = 60_000;

const hpas = (logs: readonly FlatLog[]): WatchRecord[] =>
  watchRecords(logs).filter(
    (w) =>
      w.cluster === target.cluster &&
      w.plural === 'horizontalpodautoscalers' &&
      at(w.object, 'metadata', 'name') === target.workload,
  );
const limited = (hpa: WatchRecord): string => {
  const conditions = at(hpa.object, 'status', 'conditions');
  const c = Array.isArray(conditions)
    ? conditions.find((x) => at(x, 'type') === 'ScalingLimited')
    : undefined;
  return `${text(at(c, 'status'))} ${text(at(c, 'reason'))}`;
};
const hpaGauge = (points: readonly FlatPoint[], name: string): FlatPoint[] =>
  points.filter(
    (p) =>
      p.name === name &&
      p.resource['k8s.cluster.name'] === target.cluster &&
      p.resource['k8s.hpa.name'] === target.workload,
  );

describe('hpa_at_max', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario(
      { kind: 'hpa_at_max', target, durationSeconds: 360 },
      { warmupMs: 120_000, afterMs: 480_000 },
    );
  }, 120_000);

  it('says what it does', () => {
    expect(s.fault.description).toMatch(
      /^catalog-api gets about \d+× its normal load; its HPA scales to maxReplicas 4 and stays there \(ScalingLimited TooManyReplicas\) while CPU stays above the 50% target and requests slow down\.$/,
    );
  });

  it('sits calmly at its minimum before the fault', () => {
    const before = hpas(flatLogs(s.before));
    expect(before[0]?.type).toBe('ADDED');
    expect(at(before[0]!.object, 'spec', 'minReplicas')).toBe(2);
    expect(at(before[0]!.object, 'spec', 'maxReplicas')).toBe(4);
    for (const h of before) expect(at(h.object, 'status', 'currentReplicas')).toBe(2);
    expect(eventsOf(flatLogs(s.before), target, 'SuccessfulRescale')).toEqual([]);
  });

  it('scales to maxReplicas and reports ScalingLimited TooManyReplicas', () => {
    const logs = flatLogs(s.during);
    const rescales = eventsOf(logs, target, 'SuccessfulRescale');
    expect(text(rescales[0]?.body)).toMatch(
      /^New size: [34]; reason: cpu resource utilization \(percentage of request\) above target$/,
    );
    expect(rescales[0]?.resource['k8s.object.kind']).toBe('HorizontalPodAutoscaler');
    const last = hpas(logs).pop()!;
    expect(at(last.object, 'status', 'currentReplicas')).toBe(4);
    expect(limited(last)).toBe('True TooManyReplicas');
    expect(
      Number(at(last.object, 'status', 'currentMetrics', 0, 'resource', 'current', 'averageUtilization')),
    ).toBeGreaterThan(50);
    const pods = livePods(podRecords(watchRecords(logs), target.cluster, target.workload));
    expect(pods).toHaveLength(4);
    const points = flatPoints(s.during).filter((p) => p.timeMs > s.fault.startMs + 3 * MINUTE);
    expect(
      hpaGauge(points, 'kube_horizontalpodautoscaler_status_current_replicas').every((p) => p.value === 4),
    ).toBe(true);
    expect(hpaGauge(points, 'kube_horizontalpodautoscaler_spec_max_replicas')[0]?.value).toBe(4);
    expect(hpaGauge(points, 'kube_horizontalpodautoscaler_spec_target_metric')[0]?.value).toBe(50);
    const scaled = points.filter(
      (p) =>
        p.name === 'kube_deployment_spec_replicas' &&
        p.resource['k8s.deployment.name'] === target.workload &&
        p.resource['k8s.cluster.name'] === target.cluster,
    );
    expect(scaled.every((p) => p.value === 4)).toBe(true);
  });

  it('keeps CPU above target and slows the workload and its callers, without errors', () => {
    const before = flatPoints(s.before);
    const late = flatPoints(s.during).filter((p) => p.timeMs > s.fault.startMs + 3 * MINUTE);
    for (const service of ['catalog-api', 'storefront'])
      expect(meanLatency(late, target.cluster, service)).toBeGreaterThan(
        meanLatency(before, target.cluster, service) * 1.5,
      );
    expect(requestsWithStatus(flatPoints(s.during), target.cluster, 'catalog-api', '5')).toEqual([]);
    const spanMs = (phase: FaultScenario['before'], from: number): number => {
      const spans = flatSpans(phase).filter(
        (sp) =>
          sp.resource['k8s.cluster.name'] === target.cluster &&
          sp.resource['service.name'] === 'catalog-api' &&
          sp.kind === 2 &&
          sp.startMs > from,
      );
      expect(spans.every((sp) => sp.statusCode !== 2)).toBe(true);
      return spans.reduce((n, sp) => n + sp.endMs - sp.startMs, 0) / Math.max(1, spans.length);
    };
    expect(spanMs(s.during, s.fault.startMs + 3 * MINUTE)).toBeGreaterThan(spanMs(s.before, 0) * 1.5);
  });

  it('scales back to its minimum once the load is normal again', () => {
    const logs = flatLogs(s.after);
    const down = eventsOf(logs, target, 'SuccessfulRescale');
    // Not before the five-minute stabilisation window has passed since the load started to drop.
    expect(down[0]!.timeMs).toBeGreaterThan(s.fault.endMs + 5 * MINUTE);
    for (const e of down) expect(text(e.body)).toMatch(/^New size: [23]; reason: All metrics below target$/);
    expect(text(down[down.length - 1]?.body)).toBe('New size: 2; reason: All metrics below target');
    const last = hpas(logs).pop()!;
    expect(at(last.object, 'status', 'currentReplicas')).toBe(2);
    expect(limited(last)).toBe('True TooFewReplicas');
    const pods = livePods(
      podRecords(
        watchRecords(flatLogs([...s.before, ...s.during, ...s.after])),
        target.cluster,
        target.workload,
      ),
    );
    expect(pods).toHaveLength(2);
  });
});

describe('hpa_at_max on the other autoscaled API', () => {
  it('pins checkout-api in prod-us at its maximum of 8 even at a quiet hour', async () => {
    const us = { cluster: 'prod-us', namespace: 'shop', workload: 'checkout-api' };
    const s = await runFaultScenario(
      { kind: 'hpa_at_max', target: us, durationSeconds: 240 },
      { afterMs: 0 },
    );
    const last = watchRecords(flatLogs(s.during))
      .filter(
        (w) =>
          w.cluster === us.cluster &&
          w.plural === 'horizontalpodautoscalers' &&
          at(w.object, 'metadata', 'name') === us.workload,
      )
      .pop()!;
    expect(at(last.object, 'status', 'currentReplicas')).toBe(8);
    expect(limited(last)).toBe('True TooManyReplicas');
    const rescales = eventsOf(flatLogs(s.during), us, 'SuccessfulRescale').map((e) => text(e.body));
    expect(rescales[rescales.length - 1]).toMatch(/^New size: 8; reason: cpu resource utilization/);
  }, 120_000);
});
