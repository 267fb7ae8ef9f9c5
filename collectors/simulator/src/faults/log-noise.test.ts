import { beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, eventRecords, flatLogs, flatPoints, text } from '../testing/captured-signals';
import { requestsWithStatus } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'workers', workload: 'order-worker' };
const NEW_TEMPLATE = 'DeprecationWarning: datetime.datetime.utcnow() is deprecated';

describe('log_noise', () => {
  let s: FaultScenario;
  const warnings = (requests: FaultScenario['before']) =>
    containerLogs(flatLogs(requests)).filter(
      (l) => l.resource['k8s.cluster.name'] === target.cluster && text(l.body).includes(NEW_TEMPLATE),
    );
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'log_noise', target, durationSeconds: 120 }, { warmupMs: 60_000 });
  });

  it('says what it does', () => {
    expect(s.fault.description).toBe(
      'order-worker logs about 3 WARN lines per second of a new, harmless kind; nothing else changes.',
    );
  });

  it('writes a few WARN lines per second of a template the workload never wrote before', () => {
    expect(warnings(s.before)).toEqual([]);
    const during = warnings(s.during);
    // 115 s of the fault (its last tick belongs to `after`) at about 3 lines per second.
    expect(during.length).toBeGreaterThan(250);
    expect(during.length).toBeLessThan(450);
    const first = during[0]!;
    expect(first.resource['k8s.deployment.name']).toBe('order-worker');
    expect(first.severityText).toBe('WARN');
    expect(first.attributes['log.iostream']).toBe('stderr');
    expect(text(first.body)).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING \[py\.warnings\] \/usr\/local\/lib\/python3\.12\/site-packages\/rq\/job\.py:\d+: DeprecationWarning: /,
    );
    expect(new Set(during.map((l) => l.resource['k8s.pod.name'])).size).toBe(2);
  });

  it('changes nothing else and stops when the fault ends', () => {
    const events = eventRecords(flatLogs([...s.during, ...s.after])).filter(
      (e) =>
        e.resource['k8s.cluster.name'] === target.cluster &&
        text(e.resource['k8s.object.name']).startsWith('order-worker'),
    );
    expect(events).toEqual([]);
    const failed = flatPoints(s.during).filter(
      (p) =>
        p.name === 'worker_jobs_total' &&
        p.resource['k8s.cluster.name'] === target.cluster &&
        p.attributes['outcome'] === 'failure',
    );
    expect(failed).toEqual([]);
    expect(requestsWithStatus(flatPoints(s.during), target.cluster, 'checkout-api', '5')).toEqual([]);
    expect(warnings(s.after).filter((l) => l.timeMs > s.fault.endMs)).toEqual([]);
  });
});
