import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
  containerStatus,
  eventRecords,
  flatLogs,
  flatPoints,
  flatSpans,
  podRecords,
  watchRecords,
  text,
} from '../testing/captured-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };
const mine = (r: { [key: string]: unknown }): boolean =>
  r['k8s.cluster.name'] === target.cluster && r['k8s.deployment.name'] === target.workload;

describe('oom_killed', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'oom_killed', target, durationSeconds: 300 });
  });

  it('shows OOMKilled containers with rising restarts and CrashLoopBackOff in the pod objects', () => {
    const pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
    const killed = pods.filter(
      (p) => at(containerStatus(p), 'lastState', 'terminated', 'reason') === 'OOMKilled',
    );
    expect(killed.length).toBeGreaterThan(0);
    expect(at(containerStatus(killed[0]!), 'lastState', 'terminated', 'exitCode')).toBe(137);
    expect(pods.some((p) => at(containerStatus(p), 'state', 'terminated', 'reason') === 'OOMKilled')).toBe(
      true,
    );
    expect(
      pods.some((p) => at(containerStatus(p), 'state', 'waiting', 'reason') === 'CrashLoopBackOff'),
    ).toBe(true);
    expect(
      Math.max(...pods.map((p) => Number(at(containerStatus(p), 'restartCount')))),
    ).toBeGreaterThanOrEqual(2);
  });

  it('raises Warning events: OOMKilling from the node and BackOff on the pods', () => {
    const events = eventRecords(flatLogs(s.during)).filter(
      (e) => e.resource['k8s.cluster.name'] === target.cluster,
    );
    const oom = events.filter((e) => e.attributes['k8s.event.reason'] === 'OOMKilling');
    expect(oom.length).toBeGreaterThan(0);
    expect(oom[0]!.severityText).toBe('Warning');
    expect(oom[0]!.resource['k8s.object.kind']).toBe('Node');
    expect(text(oom[0]!.body)).toMatch(/Memory cgroup out of memory: Killed process \d+ \(node\)/);
    const backoff = events.filter(
      (e) =>
        e.attributes['k8s.event.reason'] === 'BackOff' &&
        text(e.resource['k8s.object.name']).startsWith('checkout-api-'),
    );
    expect(backoff.length).toBeGreaterThan(1);
    expect(text(backoff[0]!.body)).toContain('Back-off restarting failed container checkout-api');
    const byUid = new Map<string, number[]>();
    for (const e of backoff)
      byUid.set(text(e.attributes['k8s.event.uid']), [
        ...(byUid.get(text(e.attributes['k8s.event.uid'])) ?? []),
        Number(e.attributes['k8s.event.count']),
      ]);
    expect(
      [...byUid.values()].some((counts) => counts.length > 1 && counts[counts.length - 1]! > counts[0]!),
    ).toBe(true);
  });

  it('drives memory to the limit and the restarts counter up', () => {
    const points = flatPoints(s.during).filter((p) => mine(p.resource));
    const limit =
      points.find(
        (p) => p.name === 'kube_pod_container_resource_limits' && p.attributes['resource'] === 'memory',
      )?.value ?? 0;
    const memory = points.filter((p) => p.name === 'container_memory_working_set_bytes').map((p) => p.value);
    expect(limit).toBe(512 * 1024 * 1024);
    expect(Math.max(...memory)).toBeGreaterThan(0.9 * limit);
    const restarts = points
      .filter((p) => p.name === 'kube_pod_container_status_restarts_total')
      .map((p) => p.value);
    expect(Math.min(...restarts)).toBe(0);
    expect(Math.max(...restarts)).toBeGreaterThanOrEqual(2);
    expect(
      points.some(
        (p) =>
          p.name === 'kube_pod_container_status_last_terminated_reason' &&
          p.attributes['reason'] === 'OOMKilled',
      ),
    ).toBe(true);
  });

  it('stops the app’s logs abruptly at each kill', () => {
    const logs = containerLogs(flatLogs(s.during)).filter((l) => mine(l.resource));
    const pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
    let checked = 0;
    for (const p of pods) {
      const term = at(containerStatus(p), 'state', 'terminated');
      if (at(term, 'reason') !== 'OOMKilled') continue;
      const killedAt = Date.parse(text(at(term, 'finishedAt')));
      const uid = text(at(p.object, 'metadata', 'uid'));
      const restarts = Number(at(containerStatus(p), 'restartCount'));
      const lines = logs.filter(
        (l) =>
          l.resource['k8s.pod.uid'] === uid && Number(l.resource['k8s.container.restart_count']) === restarts,
      );
      expect(lines.every((l) => l.timeMs < killedAt + 1000)).toBe(true);
      expect(lines.some((l) => text(l.body).includes('SIGTERM'))).toBe(false);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('makes callers fail: 502s in the storefront’s logs, metrics and spans', () => {
    const storefront = (r: { [key: string]: unknown }): boolean =>
      r['k8s.cluster.name'] === target.cluster && r['service.name'] === 'storefront';
    const logs = containerLogs(flatLogs(s.during)).filter((l) => storefront(l.resource));
    expect(
      logs.some((l) => /"POST \/checkout HTTP\/1.1" 502|"GET \/cart HTTP\/1.1" 502/.test(text(l.body))),
    ).toBe(true);
    expect(logs.some((l) => l.severityText === 'ERROR' && /upstream/.test(text(l.body)))).toBe(true);
    const spans = flatSpans(s.during).filter((sp) => storefront(sp.resource) && sp.statusCode === 2);
    expect(spans.some((sp) => sp.name === 'POST /checkout' || sp.name === 'GET /cart')).toBe(true);
  });

  it('recovers when the fault ends: new healthy pods, no more kills', () => {
    const quiet = s.fault.endMs + 60_000;
    const logs = flatLogs(s.after);
    const watch = podRecords(watchRecords(logs), target.cluster, target.workload);
    const deleted = watch.filter((p) => p.type === 'DELETED');
    expect(deleted.length).toBeGreaterThanOrEqual(3);
    const last = new Map<string, (typeof watch)[number]>();
    for (const p of watch) last.set(text(at(p.object, 'metadata', 'uid')), p);
    const alive = [...last.values()].filter((p) => p.type !== 'DELETED');
    expect(alive).toHaveLength(3);
    for (const p of alive) {
      expect(at(containerStatus(p), 'ready')).toBe(true);
      expect(at(containerStatus(p), 'restartCount')).toBe(0);
    }
    const late = eventRecords(logs).filter(
      (e) =>
        e.timeMs > quiet && e.severityText === 'Warning' && e.resource['k8s.cluster.name'] === target.cluster,
    );
    expect(late).toEqual([]);
    expect(s.sim.listFaults()[0]?.status).toBe('ended');
  });
});
