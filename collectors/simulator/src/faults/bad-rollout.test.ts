import { beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, flatLogs, flatPoints, flatSpans, text } from '../testing/captured-signals';
import { meanLatency, requestsWithStatus } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };

describe('bad_rollout', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'bad_rollout', target, durationSeconds: 300 }, { warmupMs: 60_000 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toMatch(/^checkout-api \d+\.\d+\.\d+ ships a regression/);
  });

  it('answers some requests with 500 from the new version, with the exception in spans and logs', () => {
    const spans = flatSpans(s.during).filter(
      (sp) =>
        sp.resource['k8s.cluster.name'] === target.cluster &&
        sp.resource['service.name'] === 'checkout-api' &&
        sp.kind === 2 &&
        sp.attributes['http.response.status_code'] === 500,
    );
    expect(spans.length).toBeGreaterThan(3);
    const versions = new Set(spans.map((sp) => sp.resource['service.version']));
    expect(versions.size).toBe(1);
    expect(spans[0]!.exceptions[0]?.['exception.type']).toBe('TypeError');
    const logs = containerLogs(flatLogs(s.during)).filter(
      (l) =>
        l.resource['k8s.container.name'] === 'checkout-api' &&
        text(l.body).includes('unhandled error in route handler'),
    );
    expect(logs.length).toBeGreaterThan(3);
    expect(text(logs[0]!.body)).toContain("Cannot read properties of undefined (reading 'currency')");
    expect(
      requestsWithStatus(flatPoints(s.during), target.cluster, 'checkout-api', '500').length,
    ).toBeGreaterThan(0);
  });

  it('slows requests without crashing anything', () => {
    const before = meanLatency(flatPoints(s.before), target.cluster, 'checkout-api');
    const during = meanLatency(flatPoints(s.during), target.cluster, 'checkout-api');
    expect(during).toBeGreaterThan(before * 1.6);
    const restarts = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_pod_container_status_restarts_total' &&
        p.resource['k8s.deployment.name'] === target.workload,
    );
    expect(restarts.every((p) => p.value === 0)).toBe(true);
  });

  it('recovers when the previous version is rolled back', () => {
    const before = flatSpans(s.before).find((sp) => sp.resource['service.name'] === 'checkout-api');
    const late = flatSpans(s.after).filter(
      (sp) => sp.resource['service.name'] === 'checkout-api' && sp.startMs > s.fault.endMs + 60_000,
    );
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late.map((sp) => sp.resource['service.version']))).toEqual(
      new Set([before?.resource['service.version']]),
    );
    expect(late.filter((sp) => sp.attributes['http.response.status_code'] === 500)).toEqual([]);
  });
});
