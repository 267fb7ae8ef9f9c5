import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  eventRecords,
  flatLogs,
  flatPoints,
  podRecords,
  text,
  watchRecords,
  type FlatLog,
  type WatchRecord,
} from '../testing/captured-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'data', workload: 'postgres' };
const claims = (logs: readonly FlatLog[], name: string): WatchRecord[] =>
  watchRecords(logs).filter(
    (w) =>
      w.cluster === target.cluster &&
      w.plural === 'persistentvolumeclaims' &&
      at(w.object, 'metadata', 'name') === name,
  );
const reasons = (logs: readonly FlatLog[], reason: string): FlatLog[] =>
  eventRecords(logs).filter(
    (e) => e.resource['k8s.cluster.name'] === target.cluster && e.attributes['k8s.event.reason'] === reason,
  );

describe('pvc_pending', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'pvc_pending', target, durationSeconds: 180 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toBe(
      'postgres is scaled to 2 replicas after StorageClass gp3 was deleted; claim data-postgres-1 and its pod stay Pending.',
    );
  });

  it('shows the existing claim Bound from the start', () => {
    const bound = claims(flatLogs(s.before), 'data-postgres-0');
    expect(at(bound[0]!.object, 'status', 'phase')).toBe('Bound');
    expect(at(bound[0]!.object, 'spec', 'storageClassName')).toBe('gp3');
  });

  it('leaves the new claim Pending with ProvisioningFailed, and its pod Pending on it', () => {
    const logs = flatLogs(s.during);
    const pending = claims(logs, 'data-postgres-1');
    expect(at(pending[pending.length - 1]!.object, 'status', 'phase')).toBe('Pending');
    const failed = reasons(logs, 'ProvisioningFailed');
    expect(failed.length).toBeGreaterThanOrEqual(8);
    expect(text(failed[0]!.body)).toBe('storageclass.storage.k8s.io "gp3" not found');
    expect(failed[0]!.resource['k8s.object.kind']).toBe('PersistentVolumeClaim');
    const scheduling = reasons(logs, 'FailedScheduling');
    expect(text(scheduling[0]!.body)).toMatch(
      /^0\/4 nodes are available: pod has unbound immediate PersistentVolumeClaims\./,
    );
    const pod = podRecords(watchRecords(logs), target.cluster, target.workload).filter(
      (p) => at(p.object, 'metadata', 'name') === 'postgres-1',
    );
    expect(at(pod[pod.length - 1]!.object, 'status', 'phase')).toBe('Pending');
    const ready = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_statefulset_status_replicas_ready' &&
        p.resource['k8s.cluster.name'] === target.cluster,
    );
    const desired = flatPoints(s.during).filter(
      (p) => p.name === 'kube_statefulset_replicas' && p.resource['k8s.cluster.name'] === target.cluster,
    );
    expect(ready[ready.length - 1]?.value).toBe(1);
    expect(desired[desired.length - 1]?.value).toBe(2);
  });

  it('binds the claim and starts the pod once the StorageClass is back', () => {
    const logs = flatLogs(s.after);
    expect(reasons(logs, 'ProvisioningSucceeded')).toHaveLength(1);
    const claim = claims(logs, 'data-postgres-1');
    expect(at(claim[claim.length - 1]!.object, 'status', 'phase')).toBe('Bound');
    const pod = podRecords(watchRecords(logs), target.cluster, target.workload).filter(
      (p) => at(p.object, 'metadata', 'name') === 'postgres-1',
    );
    expect(at(pod[pod.length - 1]!.object, 'status', 'containerStatuses', 0, 'ready')).toBe(true);
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 30_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
