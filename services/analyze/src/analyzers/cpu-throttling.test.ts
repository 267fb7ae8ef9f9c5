import { describe, expect, it } from 'vitest';
import { cpuThrottlingAnalyzer } from './cpu-throttling';
import { Finding } from './finding';
import { MemoryContext, type MemoryContextData } from './memory-context';
import { CLUSTER, NOW, anomaly, ref, snap } from './testing/kube';

const MIN = 60_000;
const DEPLOY = ref('Deployment', 'checkout');

function template(cpu: string) {
  return {
    spec: { containers: [{ name: 'api', resources: { limits: { cpu }, requests: { cpu: '200m' } } }] },
  };
}
function replicaSet(name: string, revision: number, cpu: string) {
  return snap(ref('ReplicaSet', name), {
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', name: 'checkout', controller: true }],
    },
    spec: { template: template(cpu) },
  });
}
function pod(name: string, rs: string, cpu: string) {
  return snap(ref('Pod', name), {
    metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }] },
    ...template(cpu),
  });
}

/** cAdvisor's CFS counters of one container over the last 10 minutes: `share` of periods throttled. */
function cfs(podName: string, share: number): NonNullable<MemoryContextData['series']> {
  const points = (perMin: number): [number, number][] =>
    Array.from({ length: 11 }, (_, i) => [NOW - (10 - i) * MIN, 5000 + i * perMin] as [number, number]);
  const labels = { pod: podName, container: 'api', namespace: 'shop' };
  const base = { cluster: CLUSTER, namespace: 'shop', pod: podName, labels };
  return [
    { ...base, name: 'container_cpu_cfs_periods_total', points: points(600) },
    { ...base, name: 'container_cpu_cfs_throttled_periods_total', points: points(600 * share) },
  ];
}

const slow = anomaly(DEPLOY, 'traces', 'checkout POST /api/checkout: p95 2.4 s (usually 310 ms)', 6 * MIN);

async function run(ctx: MemoryContext) {
  const findings = await cpuThrottlingAnalyzer.analyze(DEPLOY, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('cpu-throttling analyzer', () => {
  it('finds nothing when containers are rarely throttled, even with latency anomalies', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        snap(DEPLOY, { spec: { template: template('1') } }),
        replicaSet('checkout-a', 3, '1'),
        pod('checkout-a-1', 'checkout-a', '1'),
      ],
      series: cfs('checkout-a-1', 0.04),
      anomalies: [slow],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('names the throttled container, the lowered limit and the latency it causes, and proposes the old limit back', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        snap(DEPLOY, { spec: { template: template('400m') } }),
        replicaSet('checkout-a', 3, '1'),
        replicaSet('checkout-b', 4, '400m'),
        pod('checkout-b-1', 'checkout-b', '400m'),
        pod('checkout-b-2', 'checkout-b', '400m'),
      ],
      series: [...cfs('checkout-b-1', 0.72), ...cfs('checkout-b-2', 0.4)],
      anomalies: [slow],
    });
    const [f, ...rest] = await run(ctx);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('cpu-throttling');
    expect(f?.title).toContain('72% of periods at a 400m limit');
    expect(f?.explanation).toContain('lowered the limit from 1 to 400m');
    expect(f?.explanation).toContain('p95 2.4 s');
    expect(f?.evidence.map((e) => e.signal.kind)).toEqual(
      expect.arrayContaining(['series', 'object', 'anomaly']),
    );
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.remediation?.patch).toMatchObject({
      field: 'spec.template.spec.containers[name=api].resources.limits.cpu',
      from: '400m',
      to: '1',
    });
    expect(f?.remediation?.commands.join('\n')).toContain('kubectl top pods -n shop --containers');
  });

  it('without a limit cut or symptoms, reports the throttling with low confidence and proposes doubling', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        snap(DEPLOY, { spec: { template: template('250m') } }),
        replicaSet('checkout-a', 3, '250m'),
        pod('checkout-a-1', 'checkout-a', '250m'),
      ],
      series: cfs('checkout-a-1', 0.5),
    });
    const [f] = await run(ctx);
    expect(f?.confidence).toBeLessThan(0.6);
    expect(f?.remediation?.patch?.to).toBe('500m');
  });
});
