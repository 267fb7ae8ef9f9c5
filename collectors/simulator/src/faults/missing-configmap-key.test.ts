import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerStatus,
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

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };
const MESSAGE = "couldn't find key feature-flags in ConfigMap shop/checkout-api-config";
const readsFlags = (p: WatchRecord): boolean =>
  JSON.stringify(at(containerSpecOf(p), 'env')).includes('"key":"feature-flags"');

describe('missing_configmap_key', () => {
  let s: FaultScenario;
  let pods: WatchRecord[];
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'missing_configmap_key', target, durationSeconds: 180 });
    pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
  });

  it('says what it does', () => {
    expect(s.fault.description).toContain('FEATURE_FLAGS');
    expect(s.fault.description).toContain('shop/checkout-api-config');
  });

  it('leaves the new pod Pending in CreateContainerConfigError naming the ConfigMap and key', () => {
    const bad = pods.filter(readsFlags);
    expect(bad.length).toBeGreaterThan(0);
    const last = bad[bad.length - 1]!;
    expect(at(last.object, 'status', 'phase')).toBe('Pending');
    expect(at(containerStatus(last), 'state', 'waiting')).toEqual({
      reason: 'CreateContainerConfigError',
      message: MESSAGE,
    });
    expect(at(containerStatus(last), 'restartCount')).toBe(0);
  });

  it('raises Warning Failed at every sync and the waiting-reason metric', () => {
    const failed = eventsOf(flatLogs(s.during), target, 'Failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(text(failed[0]!.body)).toBe(`Error: ${MESSAGE}`);
    expect(failed[0]!.severityText).toBe('Warning');
    const waiting = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_waiting_reason' &&
        p.attributes['reason'] === 'CreateContainerConfigError',
    );
    expect(waiting.length).toBeGreaterThan(0);
  });

  it('stalls the rollout while the old pods keep serving', () => {
    expect(
      requestsWithStatus(flatPoints(s.during), target.cluster, 'checkout-api', '2').length,
    ).toBeGreaterThan(0);
    expect(requestsWithStatus(flatPoints(s.during), target.cluster, 'storefront', '5')).toEqual([]);
  });

  it('recovers with a manifest without the reference', () => {
    const logs = flatLogs(s.after);
    const alive = livePods(podRecords(watchRecords(logs), target.cluster, target.workload));
    expect(alive).toHaveLength(3);
    for (const p of alive) {
      expect(readsFlags(p)).toBe(false);
      expect(at(containerStatus(p), 'ready')).toBe(true);
    }
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 30_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
