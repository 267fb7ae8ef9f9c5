import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
  flatLogs,
  flatPoints,
  flatSpans,
  text,
  watchRecords,
  type WatchRecord,
} from '../testing/captured-signals';
import { eventsOf, requestsWithStatus } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'catalog-api' };
const endpointsOf = (logs: ReturnType<typeof flatLogs>): WatchRecord[] =>
  watchRecords(logs).filter(
    (w) =>
      w.cluster === target.cluster &&
      w.plural === 'endpoints' &&
      at(w.object, 'metadata', 'name') === 'catalog-api',
  );

describe('readiness_failing', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'readiness_failing', target, durationSeconds: 180 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toContain('/readyz answers 503');
  });

  it('fails the readiness probe with 503 and empties the Service endpoints', () => {
    const logs = flatLogs(s.during);
    const unhealthy = eventsOf(logs, target, 'Unhealthy');
    expect(unhealthy.length).toBeGreaterThanOrEqual(6);
    expect(text(unhealthy[0]!.body)).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
    const eps = endpointsOf(logs);
    const last = eps[eps.length - 1]!;
    expect(at(last.object, 'subsets', 0, 'addresses')).toBeUndefined();
    expect(at(last.object, 'subsets', 0, 'notReadyAddresses')).toHaveLength(2);
    const notReady = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_ready' &&
        p.resource['k8s.deployment.name'] === 'catalog-api' &&
        p.value === 0,
    );
    expect(notReady.length).toBeGreaterThan(0);
  });

  it('makes callers fail: nginx 502 with connect() failed, error spans', () => {
    const points = flatPoints(s.during);
    expect(requestsWithStatus(points, target.cluster, 'storefront', '502').length).toBeGreaterThan(0);
    const refused = containerLogs(flatLogs(s.during)).filter(
      (l) => l.resource['k8s.container.name'] === 'storefront' && text(l.body).includes('Connection refused'),
    );
    expect(refused.length).toBeGreaterThan(0);
    const spans = flatSpans(s.during).filter(
      (sp) =>
        sp.resource['service.name'] === 'storefront' && sp.attributes['http.response.status_code'] === 502,
    );
    expect(spans.length).toBeGreaterThan(0);
  });

  it('recovers: ready addresses again, no more 502s', () => {
    const logs = flatLogs(s.after);
    const eps = endpointsOf(logs);
    expect(at(eps[eps.length - 1]!.object, 'subsets', 0, 'addresses')).toHaveLength(2);
    const late = flatSpans(s.after).filter(
      (sp) =>
        sp.startMs > s.fault.endMs + 30_000 &&
        sp.statusCode === 2 &&
        sp.resource['k8s.cluster.name'] === target.cluster,
    );
    expect(late).toEqual([]);
  });
});
