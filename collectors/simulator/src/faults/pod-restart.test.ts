import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
  flatLogs,
  flatPoints,
  podRecords,
  text,
  watchRecords,
} from '../testing/captured-signals';
import { eventsOf, livePods, requestsWithStatus, warningEvents } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };

describe('pod_restart', () => {
  let s: FaultScenario;
  let victim: string;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'pod_restart', target, durationSeconds: 120 }, { warmupMs: 60_000 });
    victim = /pod (\S+) is deleted/.exec(s.fault.description)?.[1] ?? '';
  });

  it('says which pod it replaces', () => {
    expect(s.fault.description).toMatch(
      /^checkout-api's pod checkout-api-\w+-\w{5} is deleted and replaced by its ReplicaSet; the other replicas keep serving\.$/,
    );
  });

  it('deletes one pod and its ReplicaSet creates a replacement, with Normal events only', () => {
    const logs = flatLogs(s.during);
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    const deleted = pods.filter((p) => p.type === 'DELETED');
    expect(deleted.map((p) => at(p.object, 'metadata', 'name'))).toEqual([victim]);
    const added = pods.filter((p) => p.type === 'ADDED');
    expect(added).toHaveLength(1);
    const replacement = text(at(added[0]!.object, 'metadata', 'name'));
    expect(replacement.slice(0, -5)).toBe(victim.slice(0, -5));
    expect(eventsOf(logs, target, 'Killing').map((e) => e.resource['k8s.object.name'])).toEqual([victim]);
    expect(eventsOf(logs, target, 'SuccessfulCreate').map((e) => text(e.body))).toEqual([
      `Created pod: ${replacement}`,
    ]);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started'])
      expect(eventsOf(logs, target, reason).map((e) => e.resource['k8s.object.name'])).toEqual([replacement]);
    expect(warningEvents(logs, target.cluster)).toEqual([]);
    const lines = containerLogs(logs).filter((l) => l.resource['k8s.cluster.name'] === target.cluster);
    expect(
      lines.some((l) => l.resource['k8s.pod.name'] === victim && text(l.body).includes('received SIGTERM')),
    ).toBe(true);
    expect(
      lines.some(
        (l) => l.resource['k8s.pod.name'] === replacement && text(l.body).includes('checkout-api listening'),
      ),
    ).toBe(true);
  });

  it('causes no errors and ends with all replicas ready', () => {
    for (const service of ['checkout-api', 'storefront'])
      expect(requestsWithStatus(flatPoints([...s.during, ...s.after]), target.cluster, service, '5')).toEqual(
        [],
      );
    const pods = livePods(
      podRecords(
        watchRecords(flatLogs([...s.before, ...s.during, ...s.after])),
        target.cluster,
        target.workload,
      ),
    );
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(at(p.object, 'status', 'containerStatuses', 0, 'ready')).toBe(true);
      expect(at(p.object, 'status', 'containerStatuses', 0, 'restartCount')).toBe(0);
    }
    expect(warningEvents(flatLogs(s.after), target.cluster)).toEqual([]);
  });
});
