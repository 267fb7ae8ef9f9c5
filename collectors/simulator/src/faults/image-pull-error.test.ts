import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerStatus,
  eventRecords,
  flatLogs,
  flatPoints,
  podRecords,
  watchRecords,
  type WatchRecord,
  text,
} from '../testing/captured-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };
const BAD = 'registry.example.com/shop/checkout-api:1.4.3-bad';
const image = (p: WatchRecord): string => text(at(p.object, 'spec', 'containers', 0, 'image'));
const progressing = (d: WatchRecord | undefined): string | undefined => {
  const conditions = at(d?.object, 'status', 'conditions');
  const found = Array.isArray(conditions)
    ? conditions.find((c) => at(c, 'type') === 'Progressing')
    : undefined;
  return found === undefined ? undefined : text(at(found, 'reason'));
};
const deploymentsOf = (records: WatchRecord[]): WatchRecord[] =>
  records.filter(
    (w) =>
      w.cluster === target.cluster &&
      w.plural === 'deployments' &&
      at(w.object, 'metadata', 'name') === target.workload,
  );

describe('image_pull_error', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'image_pull_error', target, durationSeconds: 660 });
  });

  it('leaves the new pods waiting in ErrImagePull and ImagePullBackOff with the registry’s message', () => {
    const pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload).filter(
      (p) => image(p) === BAD,
    );
    const reasons = new Set(pods.map((p) => at(containerStatus(p), 'state', 'waiting', 'reason')));
    expect(reasons).toContain('ErrImagePull');
    expect(reasons).toContain('ImagePullBackOff');
    const pull = pods.find((p) => at(containerStatus(p), 'state', 'waiting', 'reason') === 'ErrImagePull');
    expect(text(at(containerStatus(pull!), 'state', 'waiting', 'message'))).toBe(
      `rpc error: code = NotFound desc = failed to pull and unpack image "${BAD}": failed to resolve reference "${BAD}": ${BAD}: not found`,
    );
    expect(pods.every((p) => at(p.object, 'status', 'phase') === 'Pending')).toBe(true);
    const rs = watchRecords(flatLogs(s.during)).filter(
      (w) =>
        w.plural === 'replicasets' &&
        at(w.object, 'spec', 'template', 'spec', 'containers', 0, 'image') === BAD,
    );
    expect(rs.length).toBeGreaterThan(0);
  });

  it('raises Failed and BackOff events', () => {
    const events = eventRecords(flatLogs(s.during)).filter(
      (e) => e.resource['k8s.cluster.name'] === target.cluster,
    );
    const failed = events.filter((e) => e.attributes['k8s.event.reason'] === 'Failed');
    expect(
      failed.some(
        (e) =>
          e.severityText === 'Warning' &&
          text(e.body).startsWith(`Failed to pull image "${BAD}": rpc error: code = NotFound`),
      ),
    ).toBe(true);
    expect(failed.some((e) => e.body === 'Error: ImagePullBackOff')).toBe(true);
    expect(
      events.some(
        (e) => e.attributes['k8s.event.reason'] === 'BackOff' && e.body === `Back-off pulling image "${BAD}"`,
      ),
    ).toBe(true);
  });

  it('stalls the rollout (unavailable replica, progress deadline exceeded) while old pods serve', () => {
    const deployments = deploymentsOf(watchRecords(flatLogs(s.during)));
    const last = deployments[deployments.length - 1];
    expect(at(last?.object, 'status', 'unavailableReplicas')).toBe(1);
    expect(at(last?.object, 'status', 'availableReplicas')).toBe(3);
    expect(deployments.some((d) => progressing(d) === 'ReplicaSetUpdated')).toBe(true);
    expect(progressing(last)).toBe('ProgressDeadlineExceeded');
    const unavailable = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_deployment_status_replicas_unavailable' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(Math.max(...unavailable.map((p) => p.value))).toBe(1);
    const errors = flatPoints(s.during).filter(
      (p) =>
        p.name === 'http_server_requests_total' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        text(p.attributes['status_code']).startsWith('5'),
    );
    expect(errors).toEqual([]);
  });

  it('recovers when the right tag is rolled out', () => {
    const watch = watchRecords(flatLogs(s.after));
    const pods = podRecords(watch, target.cluster, target.workload);
    const last = new Map<string, WatchRecord>();
    for (const p of pods) last.set(text(at(p.object, 'metadata', 'uid')), p);
    const alive = [...last.values()].filter((p) => p.type !== 'DELETED');
    expect(alive).toHaveLength(3);
    expect(
      alive.every(
        (p) =>
          image(p) === 'registry.example.com/shop/checkout-api:1.4.3' &&
          at(containerStatus(p), 'ready') === true,
      ),
    ).toBe(true);
    const deployments = deploymentsOf(watch);
    expect(progressing(deployments[deployments.length - 1])).toBe('NewReplicaSetAvailable');
    const late = eventRecords(flatLogs(s.after)).filter(
      (e) => e.timeMs > s.fault.endMs + 30_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
