import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  eventRecords,
  flatLogs,
  flatPoints,
  podRecords,
  text,
  watchRecords,
  type WatchRecord,
} from '../testing/captured-signals';
import { containerSpecOf, eventsOf, livePods, requestsWithStatus } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-us', namespace: 'shop', workload: 'checkout-api' };
const cpuRequest = (p: WatchRecord): unknown => at(containerSpecOf(p), 'resources', 'requests', 'cpu');

describe('unschedulable', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'unschedulable', target, durationSeconds: 300 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toContain('requests 8 CPU (nodes have 4 cores, was 250m)');
  });

  it('leaves the new pod Pending without a node, PodScheduled False', () => {
    const pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
    const pending = pods.filter((p) => cpuRequest(p) === '8');
    expect(pending.length).toBeGreaterThan(0);
    const last = pending[pending.length - 1]!;
    expect(at(last.object, 'status', 'phase')).toBe('Pending');
    expect(at(last.object, 'spec', 'nodeName')).toBeUndefined();
    expect(at(last.object, 'status', 'podIP')).toBeUndefined();
    const scheduled = at(last.object, 'status', 'conditions', 0);
    expect(at(scheduled, 'type')).toBe('PodScheduled');
    expect(at(scheduled, 'status')).toBe('False');
    expect(at(scheduled, 'reason')).toBe('Unschedulable');
  });

  it('reports FailedScheduling: Insufficient cpu, again at each retry', () => {
    const failed = eventsOf(flatLogs(s.during), target, 'FailedScheduling');
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(text(failed[0]!.body)).toBe(
      '0/5 nodes are available: 5 Insufficient cpu. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.',
    );
    expect(failed[0]!.attributes['k8s.event.reporting_controller']).toBe('default-scheduler');
    expect(failed.map((e) => e.attributes['k8s.event.count'])).toEqual(failed.map((_, i) => i + 1));
    const phase = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_status_phase' &&
        p.attributes['phase'] === 'Pending' &&
        p.value === 1 &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(phase.length).toBeGreaterThan(0);
    expect(phase.every((p) => p.resource['k8s.node.name'] === undefined)).toBe(true);
  });

  it('keeps the old pods serving', () => {
    expect(
      requestsWithStatus(flatPoints(s.during), target.cluster, 'checkout-api', '2').length,
    ).toBeGreaterThan(0);
    expect(requestsWithStatus(flatPoints(s.during), target.cluster, 'storefront', '5')).toEqual([]);
  });

  it('recovers with the usual request: every pod scheduled and ready', () => {
    const logs = flatLogs(s.after);
    const alive = livePods(podRecords(watchRecords(logs), target.cluster, target.workload));
    expect(alive).toHaveLength(4);
    for (const p of alive) expect(cpuRequest(p)).toBe('250m');
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 30_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
