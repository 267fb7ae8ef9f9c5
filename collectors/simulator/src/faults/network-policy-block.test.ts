import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  containerLogs,
  flatLogs,
  flatPoints,
  flatSpans,
  text,
  watchRecords,
} from '../testing/captured-signals';
import { meanLatency } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'data', workload: 'postgres' };
const DB = 'postgres.data.svc.cluster.local';
const inCluster = (r: { [key: string]: unknown }): boolean => r['k8s.cluster.name'] === target.cluster;

describe('network_policy_block', () => {
  let s: FaultScenario;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'network_policy_block', target, durationSeconds: 180 });
  });

  it('says which NetworkPolicy cuts off which caller', () => {
    expect(s.fault.description).toBe(
      'NetworkPolicy postgres-allow-payments-workers admits ingress to postgres only from payments, workers; connections from catalog-api (shop) time out.',
    );
  });

  it('creates the NetworkPolicy object and deletes it at the end', () => {
    const policies = (logs: ReturnType<typeof flatLogs>) =>
      watchRecords(logs).filter((w) => w.cluster === target.cluster && w.plural === 'networkpolicies');
    const added = policies(flatLogs(s.during));
    expect(added[0]?.type).toBe('ADDED');
    expect(at(added[0]!.object, 'spec', 'podSelector', 'matchLabels', 'app.kubernetes.io/name')).toBe(
      'postgres',
    );
    expect(JSON.stringify(at(added[0]!.object, 'spec', 'ingress'))).toContain(
      '"kubernetes.io/metadata.name":"payments"',
    );
    expect(policies(flatLogs(s.after)).map((p) => p.type)).toContain('DELETED');
  });

  it('makes the blocked caller time out connecting, in its logs and client spans', () => {
    const logs = containerLogs(flatLogs(s.during)).filter(
      (l) => inCluster(l.resource) && l.resource['k8s.container.name'] === 'catalog-api',
    );
    const timeouts = logs.filter((l) => text(l.body).includes('i/o timeout') && text(l.body).includes(DB));
    expect(timeouts.length).toBeGreaterThan(0);
    const spans = flatSpans(s.during).filter(
      (sp) =>
        inCluster(sp.resource) &&
        sp.resource['service.name'] === 'catalog-api' &&
        sp.attributes['server.address'] === DB,
    );
    const failed = spans.filter((sp) => sp.statusCode === 2);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((sp) => sp.endMs - sp.startMs >= 5000)).toBe(true);
    expect(text(failed[0]!.exceptions[0]?.['exception.message'])).toMatch(
      /^dial tcp [\d.]+:5432: i\/o timeout$/,
    );
  });

  it('leaves allowed callers and the database itself healthy', () => {
    const payments = flatSpans(s.during).filter(
      (sp) =>
        inCluster(sp.resource) &&
        sp.resource['service.name'] === 'payments-api' &&
        sp.attributes['server.address'] === DB,
    );
    expect(payments.length).toBeGreaterThan(0);
    expect(payments.filter((sp) => sp.statusCode === 2)).toEqual([]);
    const pgUp = flatPoints(s.during).filter((p) => p.name === 'pg_up' && inCluster(p.resource));
    expect(pgUp.every((p) => p.value === 1)).toBe(true);
  });

  it('slows the blocked caller and recovers once the policy is gone', () => {
    const before = meanLatency(flatPoints(s.before), target.cluster, 'catalog-api');
    expect(meanLatency(flatPoints(s.during), target.cluster, 'catalog-api')).toBeGreaterThan(before * 5);
    const late = flatSpans(s.after).filter(
      (sp) =>
        inCluster(sp.resource) &&
        sp.startMs > s.fault.endMs + 10_000 &&
        sp.attributes['server.address'] === DB,
    );
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((sp) => sp.statusCode === 2)).toEqual([]);
  });
});
