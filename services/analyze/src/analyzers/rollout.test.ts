import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { rolloutAnalyzer } from './rollout';
import { NOW, anomaly, ref, snap } from './testing/kube';

const MIN = 60_000;
const DEPLOY = ref('Deployment', 'catalog');

function replicaSet(name: string, revision: number, image: string, createdAgoMs: number) {
  return snap(ref('ReplicaSet', name), {
    metadata: {
      creationTimestamp: new Date(NOW - createdAgoMs).toISOString(),
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', name: 'catalog', controller: true }],
    },
    spec: { template: { spec: { containers: [{ name: 'api', image }] } } },
  });
}

const deployment = snap(DEPLOY, {
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'shop/catalog:3.1.0' }] } } },
  status: { availableReplicas: 2, updatedReplicas: 2 },
});
const oldRs = replicaSet('catalog-7d9f', 11, 'shop/catalog:3.0.4', 3 * 24 * 60 * MIN);
const newRs = replicaSet('catalog-5b2c', 12, 'shop/catalog:3.1.0', 10 * MIN);
const errors = anomaly(
  DEPLOY,
  'traces',
  'catalog GET /products: 11% of requests failed (usually 0.2%)',
  7 * MIN,
);
const slow = anomaly(DEPLOY, 'traces', 'catalog GET /products: p95 912 ms (usually 240 ms)', 6 * MIN);
const stack = anomaly(
  ref('Pod', 'catalog-5b2c-x1'),
  'log-templates',
  'new log template: TypeError: Cannot read properties',
  7 * MIN,
);

async function run(ctx: MemoryContext) {
  const findings = await rolloutAnalyzer.analyze(DEPLOY, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('rollout analyzer', () => {
  it('finds nothing after a healthy rollout (a new version, no symptoms)', async () => {
    const other = anomaly(ref('Deployment', 'storefront'), 'traces', 'storefront slow', 5 * MIN);
    const ctx = new MemoryContext({ nowMs: NOW, objects: [deployment, oldRs, newRs], anomalies: [other] });
    expect(await run(ctx)).toEqual([]);
  });

  it('blames a rollout followed by errors and latency on its own requests, and proposes the previous image', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [deployment, oldRs, newRs],
      anomalies: [errors, slow, stack],
    });
    const [f, ...rest] = await run(ctx);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('bad-rollout');
    expect(f?.title).toContain('revision 12');
    expect(f?.explanation).toContain('shop/catalog:3.0.4 → shop/catalog:3.1.0');
    expect(f?.evidence.map((e) => e.signal)).toContainEqual({ kind: 'anomaly', id: errors.id });
    // Two kinds of signal (traces and logs) agree: more certain than one.
    expect(f?.confidence).toBeGreaterThan(0.7);
    expect(f?.remediation?.steps[0]).toContain(
      'kubectl rollout undo deployment/catalog -n shop --to-revision=11',
    );
    expect(f?.remediation?.patch).toMatchObject({
      field: 'spec.template.spec.containers[name=api].image',
      from: 'shop/catalog:3.1.0',
      to: 'shop/catalog:3.0.4',
    });
  });

  it('does not blame a rollout for trouble that began before it', async () => {
    const earlier = anomaly(DEPLOY, 'traces', 'catalog GET /products: p95 900 ms', 25 * MIN);
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [deployment, oldRs, newRs],
      anomalies: [earlier, errors],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('still blames a rollout when trouble before it had ended before it began', async () => {
    // A traffic spike 24 minutes ago, over 20 minutes ago; the rollout came 10 minutes ago.
    const spike = {
      ...anomaly(DEPLOY, 'traces', 'catalog GET /products: 3.6 requests/s, unusual', 24 * MIN),
      endMs: NOW - 20 * MIN,
    };
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [deployment, oldRs, newRs],
      anomalies: [spike, errors, slow],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('bad-rollout');
    expect(f?.evidence.map((e) => e.signal)).not.toContainEqual({ kind: 'anomaly', id: spike.id });
  });

  it('does not blame a rollout for a blip that ended while its pods were replaced', async () => {
    const blip = { ...errors, endMs: NOW - 5 * MIN };
    const ctx = new MemoryContext({ nowMs: NOW, objects: [deployment, oldRs, newRs], anomalies: [blip] });
    expect(await run(ctx)).toEqual([]);
  });

  it('does not blame a rollout from hours ago', async () => {
    const old = replicaSet('catalog-5b2c', 12, 'shop/catalog:3.1.0', 5 * 60 * MIN);
    const ctx = new MemoryContext({ nowMs: NOW, objects: [deployment, oldRs, old], anomalies: [errors] });
    expect(await run(ctx)).toEqual([]);
  });

  it("ignores the rollout's own churn: events, object-state series, process starts, the new version's INFO lines", async () => {
    const churn = anomaly(DEPLOY, 'k8s-events', 'ScalingReplicaSet', 9 * MIN);
    const series = (name: string) => ({
      ...anomaly(ref('Pod', 'catalog-5b2c-x1'), 'metrics', `${name}: unusual pattern`, 8 * MIN),
      signal: { kind: 'series' as const, name, labels: {}, fromMs: NOW - 8 * MIN, toMs: NOW },
    });
    const info = {
      ...anomaly(DEPLOY, 'log-templates', 'New log message: starting catalog 3.1.0', 9 * MIN),
      score: 0.4,
    };
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [deployment, oldRs, newRs],
      anomalies: [churn, series('kube_pod_status_ready'), series('process_start_time_seconds'), info],
    });
    expect(await run(ctx)).toEqual([]);
  });
});
