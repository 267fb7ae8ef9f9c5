import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerStatus,
  eventRecords,
  flatLogs,
  flatPoints,
  flatSpans,
  podRecords,
  text,
  watchRecords,
  type WatchRecord,
} from '../testing/captured-signals';
import { containerSpecOf, eventsOf, livePods } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'catalog-api' };
const probePort = (p: WatchRecord): unknown => at(containerSpecOf(p), 'livenessProbe', 'httpGet', 'port');

describe('liveness_wrong_port', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'liveness_wrong_port', target, durationSeconds: 240 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toContain('liveness probe at port 8081');
  });

  it('fails the liveness probe with connection refused, then kills the container', () => {
    const logs = flatLogs(s.during);
    const unhealthy = eventsOf(logs, target, 'Unhealthy');
    expect(unhealthy.length).toBeGreaterThanOrEqual(6);
    expect(text(unhealthy[0]!.body)).toMatch(
      /^Liveness probe failed: Get "http:\/\/(10\.\d+\.\d+\.\d+):8081\/livez": dial tcp \1:8081: connect: connection refused$/,
    );
    const killing = eventsOf(logs, target, 'Killing').filter((e) => text(e.body).includes('liveness'));
    expect(killing.length).toBeGreaterThanOrEqual(2);
    expect(text(killing[0]!.body)).toBe('Container catalog-api failed liveness probe, will be restarted');
  });

  it('restarts the new pods (exit 143) while their spec names port 8081', () => {
    const pods = podRecords(watchRecords(flatLogs(s.during)), target.cluster, target.workload);
    const bad = pods.filter((p) => probePort(p) === 8081);
    expect(bad.length).toBeGreaterThan(0);
    expect(
      Math.max(...bad.map((p) => Number(at(containerStatus(p), 'restartCount')))),
    ).toBeGreaterThanOrEqual(2);
    const exits = bad
      .map((p) => at(containerStatus(p), 'lastState', 'terminated', 'exitCode'))
      .filter((x) => x !== undefined);
    expect(new Set(exits)).toEqual(new Set([143]));
    const restarts = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_restarts_total' &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(Math.max(...restarts.map((p) => p.value))).toBeGreaterThanOrEqual(2);
  });

  it('breaks callers’ requests when containers are killed', () => {
    const failed = flatSpans(s.during).filter(
      (sp) =>
        sp.resource['k8s.cluster.name'] === target.cluster &&
        sp.resource['service.name'] === 'storefront' &&
        Number(sp.attributes['http.response.status_code']) >= 500,
    );
    expect(failed.length).toBeGreaterThan(0);
  });

  it('recovers with the right port: no more liveness failures', () => {
    const logs = flatLogs(s.after);
    const alive = livePods(podRecords(watchRecords(logs), target.cluster, target.workload));
    expect(alive).toHaveLength(2);
    for (const p of alive) expect(probePort(p)).toBe('http');
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 60_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
