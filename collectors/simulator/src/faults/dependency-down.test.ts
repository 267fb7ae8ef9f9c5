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
  type FlatPoint,
  text,
} from '../testing/captured-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'data', workload: 'postgres' };
const DB = 'postgres.data.svc.cluster.local';
const inCluster = (r: { [key: string]: unknown }): boolean => r['k8s.cluster.name'] === target.cluster;

/** Mean request duration of a service from cumulative histogram points (last minus first). */
function meanLatency(points: FlatPoint[], service: string): number {
  const series = points.filter(
    (p) =>
      p.name === 'http_server_request_duration_seconds' &&
      inCluster(p.resource) &&
      p.resource['service.name'] === service,
  );
  const byPod = new Map<string, FlatPoint[]>();
  for (const p of series)
    byPod.set(text(p.resource['k8s.pod.uid']) + JSON.stringify(p.attributes), [
      ...(byPod.get(text(p.resource['k8s.pod.uid']) + JSON.stringify(p.attributes)) ?? []),
      p,
    ]);
  let sum = 0;
  let count = 0;
  for (const list of byPod.values()) {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    sum += (last.sum ?? 0) - (first.sum ?? 0);
    count += last.value - first.value;
  }
  return count === 0 ? 0 : sum / count;
}

describe('dependency_down', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'dependency_down', target, durationSeconds: 180 });
  });

  it('fails the database’s readiness: Unhealthy events, not ready, recovery logs', () => {
    const logs = flatLogs(s.during);
    const unhealthy = eventRecords(logs).filter(
      (e) => inCluster(e.resource) && e.attributes['k8s.event.reason'] === 'Unhealthy',
    );
    expect(unhealthy.length).toBeGreaterThan(5);
    expect(unhealthy[0]!.resource['k8s.object.name']).toBe('postgres-0');
    expect(text(unhealthy[0]!.body)).toBe('Readiness probe failed: 127.0.0.1:5432 - rejecting connections');
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    expect(pods.some((p) => at(containerStatus(p), 'ready') === false)).toBe(true);
    const dbLogs = containerLogs(logs)
      .filter((l) => inCluster(l.resource) && l.resource['k8s.container.name'] === 'postgres')
      .map((l) => text(l.body));
    expect(dbLogs.some((b) => b.includes('terminating any other active server processes'))).toBe(true);
    expect(dbLogs.some((b) => b.includes('FATAL:  the database system is in recovery mode'))).toBe(true);
    const up = flatPoints(s.during).filter((p) => p.name === 'pg_up' && inCluster(p.resource));
    expect(up.some((p) => p.value === 0)).toBe(true);
  });

  it('makes every caller log connection-refused errors naming the database', () => {
    const logs = containerLogs(flatLogs(s.during)).filter(
      (l) => inCluster(l.resource) && l.severityNumber >= 17,
    );
    for (const caller of ['catalog-api', 'payments-api', 'order-worker']) {
      const mine = logs.filter((l) => l.resource['service.name'] === caller).map((l) => text(l.body));
      expect(
        mine.some((b) => b.includes(`${DB}`) && /refused/i.test(b)),
        caller,
      ).toBe(true);
    }
    const checkout = logs
      .filter((l) => l.resource['service.name'] === 'checkout-api')
      .map((l) => text(l.body));
    expect(checkout.some((b) => b.includes('payments-api.payments.svc.cluster.local:8080'))).toBe(true);
    const payments = logs
      .filter((l) => l.resource['service.name'] === 'payments-api')
      .map((l) => text(l.body));
    expect(
      payments.some(
        (b) =>
          b.includes(`org.postgresql.util.PSQLException: Connection to ${DB}:5432 refused.`) &&
          b.includes('\n\tat '),
      ),
    ).toBe(true);
  });

  it('raises error ratios and latency in the callers’ metrics', () => {
    const fiveXx = (reqs: typeof s.during, service: string): number =>
      flatPoints(reqs)
        .filter(
          (p) =>
            p.name === 'http_server_requests_total' &&
            inCluster(p.resource) &&
            p.resource['service.name'] === service &&
            text(p.attributes['status_code']).startsWith('5'),
        )
        .reduce((max, p) => Math.max(max, p.value), 0);
    for (const service of ['catalog-api', 'payments-api', 'checkout-api', 'storefront']) {
      expect(fiveXx(s.before, service), service).toBe(0);
      expect(fiveXx(s.during, service), service).toBeGreaterThan(5);
    }
    expect(meanLatency(flatPoints(s.during), 'payments-api')).toBeGreaterThan(
      10 * meanLatency(flatPoints(s.before), 'payments-api'),
    );
  });

  it('fails the spans to the database and the spans of every caller up the graph', () => {
    const spans = flatSpans(s.during).filter((sp) => inCluster(sp.resource));
    const db = spans.filter((sp) => sp.attributes['db.system'] === 'postgresql' && sp.statusCode === 2);
    expect(db.length).toBeGreaterThan(0);
    expect(db.every((sp) => sp.exceptions.length === 1 && sp.attributes['server.address'] === DB)).toBe(true);
    expect(new Set(db.map((sp) => sp.resource['service.name']))).toEqual(
      new Set(['catalog-api', 'payments-api', 'order-worker']),
    );
    const failedTraces = new Set(
      db.filter((sp) => sp.resource['service.name'] === 'payments-api').map((sp) => sp.traceId),
    );
    const roots = spans.filter((sp) => failedTraces.has(sp.traceId) && sp.parentSpanId === undefined);
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.every((sp) => sp.resource['service.name'] === 'storefront' && sp.statusCode === 2)).toBe(
      true,
    );
  });

  it('recovers: ready again, accepting connections, no more errors', () => {
    const logs = flatLogs(s.after);
    const quiet = s.fault.endMs + 30_000;
    const dbLogs = containerLogs(logs)
      .filter((l) => inCluster(l.resource) && l.resource['k8s.container.name'] === 'postgres')
      .map((l) => text(l.body));
    expect(dbLogs.some((b) => b.includes('database system is ready to accept connections'))).toBe(true);
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    expect(at(containerStatus(pods[pods.length - 1]!), 'ready')).toBe(true);
    const errors = containerLogs(logs).filter(
      (l) => inCluster(l.resource) && l.timeMs > quiet && text(l.body).includes(DB) && l.severityNumber >= 17,
    );
    expect(errors).toEqual([]);
    expect(eventRecords(logs).filter((e) => e.timeMs > quiet && e.severityText === 'Warning')).toEqual([]);
    const late = flatSpans(s.after).filter((sp) => sp.startMs > quiet && sp.statusCode === 2);
    expect(late).toEqual([]);
  });
});
