import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
  flatLogs,
  flatPoints,
  flatSpans,
  podRecords,
  text,
  watchRecords,
} from '../testing/captured-signals';
import { eventsOf, livePods, meanLatency, requestsWithStatus, warningEvents } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };

describe('healthy_rollout', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario(
      { kind: 'healthy_rollout', target, durationSeconds: 240 },
      { warmupMs: 60_000 },
    );
  });

  it('says what it does', () => {
    expect(s.fault.description).toBe(
      'checkout-api 1.4.3 rolls out and completes normally; nothing else changes.',
    );
  });

  it('rolls out a new ReplicaSet with Normal events only', () => {
    const logs = flatLogs(s.during);
    const sets = watchRecords(logs).filter(
      (w) => w.cluster === target.cluster && w.plural === 'replicasets' && w.type === 'ADDED',
    );
    expect(sets).toHaveLength(1);
    const newSet = text(at(sets[0]!.object, 'metadata', 'name'));
    expect(at(sets[0]!.object, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/version')).toBe(
      '1.4.3',
    );
    const scaling = eventsOf(logs, target, 'ScalingReplicaSet').map((e) => text(e.body));
    expect(scaling[0]).toBe(`Scaled up replica set ${newSet} to 3`);
    expect(scaling.filter((m) => m.startsWith('Scaled down replica set'))).toHaveLength(3);
    for (const reason of ['SuccessfulCreate', 'Scheduled', 'Pulled', 'Started', 'Killing'])
      expect(eventsOf(logs, target, reason).length).toBeGreaterThanOrEqual(3);
    expect(warningEvents(logs, target.cluster)).toEqual([]);
  });

  it('changes service.version on every signal and nothing else', () => {
    const late = s.fault.startMs + 90_000;
    const mine = (x: { resource: Record<string, unknown> }): boolean =>
      x.resource['k8s.cluster.name'] === target.cluster && x.resource['service.name'] === 'checkout-api';
    const spans = flatSpans(s.during).filter((sp) => mine(sp) && sp.startMs > late);
    const logs = containerLogs(flatLogs(s.during)).filter((l) => mine(l) && l.timeMs > late);
    const points = flatPoints(s.during).filter((p) => mine(p) && p.timeMs > late);
    for (const signal of [spans, logs, points]) {
      expect(signal.length).toBeGreaterThan(0);
      expect(new Set(signal.map((x) => x.resource['service.version']))).toEqual(new Set(['1.4.3']));
    }
    expect(requestsWithStatus(flatPoints(s.during), target.cluster, 'checkout-api', '5')).toEqual([]);
    const before = meanLatency(flatPoints(s.before), target.cluster, 'checkout-api');
    const during = meanLatency(flatPoints(s.during), target.cluster, 'checkout-api');
    expect(during).toBeLessThan(before * 1.5);
    expect(during).toBeGreaterThan(before / 1.5);
  });

  it('ends with the new version serving on all replicas, complete and available', () => {
    const logs = flatLogs([...s.during, ...s.after]);
    const pods = livePods(podRecords(watchRecords(logs), target.cluster, target.workload));
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(at(p.object, 'metadata', 'labels', 'app.kubernetes.io/version')).toBe('1.4.3');
      expect(at(p.object, 'status', 'containerStatuses', 0, 'ready')).toBe(true);
      expect(at(p.object, 'status', 'containerStatuses', 0, 'restartCount')).toBe(0);
    }
    const deployments = watchRecords(logs).filter(
      (w) =>
        w.cluster === target.cluster &&
        w.plural === 'deployments' &&
        at(w.object, 'metadata', 'name') === target.workload,
    );
    const last = deployments[deployments.length - 1]!;
    const conditions = at(last.object, 'status', 'conditions');
    expect(JSON.stringify(conditions)).toContain('NewReplicaSetAvailable');
    expect(at(last.object, 'status', 'availableReplicas')).toBe(3);
    expect(warningEvents(flatLogs(s.after), target.cluster)).toEqual([]);
  });
});
