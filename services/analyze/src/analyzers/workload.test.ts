import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { NOW, ref, snap } from './testing/kube';
import { workloadAnalyzer } from './workload';

const DEPLOY = ref('Deployment', 'checkout');

function template(image: string, env: Record<string, unknown>[] = []) {
  const args = env.length > 0 ? ['--db-password=hunter2'] : [];
  return {
    metadata: { labels: { app: 'checkout' } },
    spec: { containers: [{ name: 'app', image, env, args }] },
  };
}

function replicaSet(name: string, revision: number, image: string, env: Record<string, unknown>[] = []) {
  return snap(ref('ReplicaSet', name), {
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', name: 'checkout', controller: true }],
    },
    spec: { replicas: 1, template: template(image, env) },
  });
}

function pod(name: string, rs: string, ready: boolean) {
  return snap(ref('Pod', name), {
    metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }] },
    spec: { containers: [{ name: 'app' }] },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'app', ready, state: ready ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
  });
}

function deployment(available: number, progressing: 'True' | 'False') {
  return snap(DEPLOY, {
    spec: { replicas: 3, template: template('shop/checkout:2.0.0') },
    status: {
      availableReplicas: available,
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: progressing,
          reason: progressing === 'True' ? 'NewReplicaSetAvailable' : 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "checkout-2" has timed out progressing.',
        },
      ],
    },
  });
}

const oldRs = replicaSet('checkout-1', 4, 'shop/checkout:1.9.3');
const newRs = replicaSet('checkout-2', 5, 'shop/checkout:2.0.0', [
  { name: 'PAYMENTS_URL', value: 'http://payments:8080' },
]);

async function run(ctx: MemoryContext, r = DEPLOY) {
  const findings = await workloadAnalyzer.analyze(r, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('workload analyzer', () => {
  it('finds nothing wrong with a Deployment whose replicas are all available', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [deployment(3, 'True'), newRs, oldRs, pod('checkout-2-a', 'checkout-2', true)],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('blames the stalled rollout on the revision that changed the image, and proposes rolling it back', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        deployment(2, 'False'),
        oldRs,
        newRs,
        pod('checkout-2-a', 'checkout-2', false),
        pod('checkout-1-b', 'checkout-1', true),
      ],
    });
    const [f, ...rest] = await run(ctx);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('rollout-stalled');
    expect(f?.resource).toEqual(DEPLOY);
    expect(f?.title).toBe('Rollout of deployment checkout is stalled: 2 of 3 replicas available');
    expect(f?.explanation).toContain('has timed out progressing. Not available');
    expect(f?.explanation).toContain('checkout-2-a (container app CrashLoopBackOff)');
    expect(f?.explanation).toContain('app image: shop/checkout:1.9.3 → shop/checkout:2.0.0');
    expect(f?.explanation).toContain('app env PAYMENTS_URL: (none) → a literal value');
    expect(f?.explanation).not.toContain('http://payments');
    expect(f?.explanation).toContain('app args: before → changed');
    expect(JSON.stringify(f)).not.toContain('hunter2');
    expect(f?.remediation?.steps.join(' ')).toContain('Roll back to revision 4');
    expect(f?.remediation?.patch).toMatchObject({ from: 'shop/checkout:2.0.0', to: 'shop/checkout:1.9.3' });
    const ids = f?.evidence.map((e) => (e.signal.kind === 'object' ? e.signal.ref.name : e.signal.kind));
    expect(ids).toEqual(expect.arrayContaining(['checkout', 'checkout-2-a', 'checkout-1', 'checkout-2']));
  });

  it('does not blame the new revision when only old-revision pods are unavailable', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        deployment(2, 'True'),
        oldRs,
        newRs,
        pod('checkout-1-b', 'checkout-1', false),
        pod('checkout-2-a', 'checkout-2', true),
      ],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('unavailable-replicas');
    expect(f?.explanation).toContain('checkout-1-b');
    expect(f?.explanation).not.toContain('latest rollout');
    expect(f?.remediation?.patch).toBeUndefined();
  });

  it('finds the StatefulSet template change in its history', async () => {
    const sts = ref('StatefulSet', 'db');
    const tpl = (mem: string) => ({
      spec: { containers: [{ name: 'pg', image: 'postgres:16', resources: { limits: { memory: mem } } }] },
    });
    const before = snap(
      sts,
      { spec: { replicas: 3, template: tpl('2Gi') }, status: { availableReplicas: 3 } },
      3_600_000,
    );
    const now = snap(sts, {
      spec: { replicas: 3, template: tpl('512Mi') },
      status: { availableReplicas: 1, updatedReplicas: 2 },
    });
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [before, now] }), sts);
    expect(f?.failureMode).toBe('unavailable-replicas');
    expect(f?.title).toBe('StatefulSet db has 2 unavailable replicas (1 of 3 available)');
    expect(f?.explanation).toContain('pg resources.limits.memory: 2Gi → 512Mi');
  });

  it('points the image rollback of an init container at initContainers', async () => {
    const sts = ref('StatefulSet', 'db');
    const tpl = (tag: string) => ({
      spec: {
        initContainers: [{ name: 'migrate', image: `ghcr.io/acme/db-migrate:${tag}` }],
        containers: [{ name: 'pg', image: 'postgres:16' }],
      },
    });
    const before = snap(
      sts,
      { spec: { replicas: 3, template: tpl('7') }, status: { availableReplicas: 3 } },
      3_600_000,
    );
    const now = snap(sts, {
      spec: { replicas: 3, template: tpl('8') },
      status: { availableReplicas: 1, updatedReplicas: 2 },
    });
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [before, now] }), sts);
    expect(f?.remediation?.patch).toMatchObject({
      kind: 'StatefulSet',
      field: 'spec.template.spec.initContainers[name=migrate].image',
      from: 'ghcr.io/acme/db-migrate:8',
      to: 'ghcr.io/acme/db-migrate:7',
    });
  });
});
