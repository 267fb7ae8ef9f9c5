import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
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

const target = { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' };
const envNames = (p: WatchRecord): string[] => {
  const env = at(p.object, 'spec', 'containers', 0, 'env');
  return Array.isArray(env) ? env.map((e) => text(at(e, 'name'))) : [];
};

describe('crash_loop', () => {
  let s: FaultScenario;
  let pods: WatchRecord[];
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'crash_loop', target, durationSeconds: 300 });
    pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
  });

  it('rolls out a pod whose spec lacks the required variable, which crash-loops', () => {
    const bad = pods.filter((p) => !envNames(p).includes('PAYMENTS_DB_URL'));
    expect(bad.length).toBeGreaterThan(0);
    const before = podRecords(watchRecords(flatLogs(s.before)), target.cluster, target.workload);
    expect(before.every((p) => envNames(p).includes('PAYMENTS_DB_URL'))).toBe(true);
    expect(bad.some((p) => at(containerStatus(p), 'state', 'waiting', 'reason') === 'CrashLoopBackOff')).toBe(
      true,
    );
    const exits = bad
      .map((p) => at(containerStatus(p), 'lastState', 'terminated'))
      .filter((t) => t !== undefined);
    expect(exits.length).toBeGreaterThan(0);
    expect(exits.every((t) => at(t, 'exitCode') === 1 && at(t, 'reason') === 'Error')).toBe(true);
    expect(
      Math.max(...bad.map((p) => Number(at(containerStatus(p), 'restartCount')))),
    ).toBeGreaterThanOrEqual(3);
  });

  it('logs the missing variable at every start', () => {
    const logs = containerLogs(flatLogs(s.during)).filter(
      (l) =>
        l.resource['k8s.cluster.name'] === target.cluster &&
        l.resource['k8s.container.name'] === target.workload,
    );
    const startupErrors = logs.filter((l) =>
      text(l.body).includes('required environment variable PAYMENTS_DB_URL is not set'),
    );
    expect(startupErrors.length).toBeGreaterThanOrEqual(3);
    expect(startupErrors[0]!.severityText).toBe('ERROR');
    expect(new Set(startupErrors.map((l) => l.resource['k8s.container.restart_count'])).size).toBe(
      startupErrors.length,
    );
  });

  it('raises BackOff events with a rising count and a rising restarts metric', () => {
    const backoff = eventRecords(flatLogs(s.during)).filter(
      (e) =>
        e.resource['k8s.cluster.name'] === target.cluster && e.attributes['k8s.event.reason'] === 'BackOff',
    );
    expect(backoff.length).toBeGreaterThanOrEqual(3);
    expect(text(backoff[0]!.body)).toMatch(
      /^Back-off restarting failed container payments-api in pod payments-api-/,
    );
    expect(new Set(backoff.map((e) => e.attributes['k8s.event.uid'])).size).toBe(1);
    expect(backoff.map((e) => e.attributes['k8s.event.count'])).toEqual(backoff.map((_, i) => i + 1));
    const restarts = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_restarts_total' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(Math.max(...restarts.map((p) => p.value))).toBeGreaterThanOrEqual(3);
    const waiting = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_waiting_reason' &&
        p.attributes['reason'] === 'CrashLoopBackOff',
    );
    expect(waiting.length).toBeGreaterThan(0);
  });

  it('stalls the rollout while the old pods keep serving', () => {
    const deployments = watchRecords(flatLogs(s.during)).filter(
      (w) =>
        w.cluster === target.cluster &&
        w.plural === 'deployments' &&
        at(w.object, 'metadata', 'name') === target.workload,
    );
    const last = deployments[deployments.length - 1];
    expect(at(last?.object, 'status', 'updatedReplicas')).toBe(1);
    expect(at(last?.object, 'status', 'unavailableReplicas')).toBe(1);
    expect(at(last?.object, 'status', 'availableReplicas')).toBe(2);
    const served = flatPoints(s.during).filter(
      (p) =>
        p.name === 'http_server_requests_total' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        p.resource['service.name'] === 'payments-api' &&
        p.attributes['status_code'] === '200',
    );
    expect(served.length).toBeGreaterThan(0);
    const errors = flatPoints(s.during).filter(
      (p) =>
        p.name === 'http_server_requests_total' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        text(p.attributes['status_code']).startsWith('5'),
    );
    expect(errors).toEqual([]);
  });

  it('recovers with a fixed rollout: crashing pod deleted, new pods with the variable, no more BackOff', () => {
    const logs = flatLogs(s.after);
    const watch = podRecords(watchRecords(logs), target.cluster, target.workload);
    const last = new Map<string, WatchRecord>();
    for (const p of watch) last.set(text(at(p.object, 'metadata', 'uid')), p);
    const alive = [...last.values()].filter((p) => p.type !== 'DELETED');
    expect(alive).toHaveLength(2);
    for (const p of alive) {
      expect(envNames(p)).toContain('PAYMENTS_DB_URL');
      expect(at(containerStatus(p), 'ready')).toBe(true);
    }
    expect(watch.some((p) => p.type === 'DELETED' && !envNames(p).includes('PAYMENTS_DB_URL'))).toBe(true);
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 30_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
