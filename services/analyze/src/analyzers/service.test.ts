import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { serviceAnalyzer } from './service';
import { NOW, ref, snap } from './testing/kube';

const SVC = ref('Service', 'payments');
const service = (selector: Record<string, string>, targetPort: number | string = 8080) =>
  snap(SVC, { spec: { selector, ports: [{ port: 80, targetPort }] } });
const pod = (name: string, labels: Record<string, string>, ready = true) =>
  snap(ref('Pod', name), {
    metadata: { labels },
    spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080, name: 'http' }] }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

async function run(ctx: MemoryContext) {
  const findings = await serviceAnalyzer.analyze(SVC, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('service analyzer', () => {
  it('finds nothing wrong with a Service whose ready pods listen on its targetPort', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [service({ app: 'payments' }, 'http'), pod('payments-1', { app: 'payments' })],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('points at the pod that misses the selector by one label', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        service({ app: 'payments', tier: 'backend' }),
        pod('payments-1', { app: 'payments', tier: 'back-end' }),
      ],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('selector-matches-no-pods');
    expect(f?.title).toBe('Service payments selects no pods (selector app=payments,tier=backend)');
    expect(f?.explanation).toContain('payments-1 has tier=back-end');
  });

  const deployment = (name: string, labels: Record<string, string>, matchLabels = labels) =>
    snap(ref('Deployment', name), {
      spec: { selector: { matchLabels }, template: { metadata: { labels }, spec: { containers: [] } } },
    });

  it('proposes the selector of the one workload that misses it by one label value', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        service({ app: 'payments', tier: 'backend' }),
        pod('payments-1', { app: 'payments', tier: 'back-end', 'pod-template-hash': '7d9f' }),
        deployment('payments', { app: 'payments', tier: 'back-end' }, { app: 'payments' }),
        deployment('ledger', { app: 'ledger', tier: 'worker' }),
      ],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('selector-matches-no-pods');
    expect(f?.confidence).toBe(0.9);
    expect(f?.remediation?.patch).toEqual({
      kind: 'Service',
      name: 'payments',
      namespace: 'shop',
      field: 'spec.selector',
      from: 'app=payments,tier=backend',
      to: 'app=payments,tier=back-end',
      rationale: 'Only the pods of Deployment payments miss the selector, by one label: tier=back-end.',
    });
    expect(f?.evidence.map((e) => (e.signal.kind === 'object' ? e.signal.ref.name : ''))).toContain(
      'payments',
    );
  });

  it('proposes the labels of the workload named like the Service when no label is a near miss', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        service({ app: 'payment' }),
        deployment(
          'payments',
          { 'app.kubernetes.io/name': 'payments', 'app.kubernetes.io/part-of': 'shop' },
          { 'app.kubernetes.io/name': 'payments' },
        ),
        deployment('ledger', { 'app.kubernetes.io/name': 'ledger', 'app.kubernetes.io/part-of': 'shop' }),
      ],
    });
    const [f] = await run(ctx);
    expect(f?.remediation?.patch).toMatchObject({
      from: 'app=payment',
      to: 'app.kubernetes.io/name=payments',
    });
  });

  it('proposes no selector when the workload is not certain, or when the selector is right', async () => {
    // Two workloads each miss by one value: which one the Service is for is a guess.
    const two = new MemoryContext({
      nowMs: NOW,
      objects: [
        service({ app: 'payments', tier: 'backend' }),
        deployment('payments-eu', { app: 'payments', tier: 'eu' }),
        deployment('payments-us', { app: 'payments', tier: 'us' }),
      ],
    });
    const [a] = await run(two);
    expect(a?.failureMode).toBe('selector-matches-no-pods');
    expect(a?.remediation?.patch).toBeUndefined();
    // The one near miss would also select another workload's pods.
    const stray = new MemoryContext({
      nowMs: NOW,
      objects: [
        service({ app: 'payments', tier: 'backend' }),
        deployment('payments', { app: 'payments', tier: 'web' }),
        deployment('payments-canary', { app: 'payments', tier: 'web', track: 'canary' }),
      ],
    });
    expect((await run(stray))[0]?.remediation?.patch).toBeUndefined();
    // The workload carries the selector's labels but runs no pods: the selector is not the problem.
    const scaledDown = new MemoryContext({
      nowMs: NOW,
      objects: [service({ app: 'payments' }), deployment('payments', { app: 'payments' })],
    });
    expect((await run(scaledDown))[0]?.remediation?.patch).toBeUndefined();
  });

  it('reports matching pods of which none is ready', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [service({ app: 'payments' }), pod('payments-1', { app: 'payments' }, false)],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('no-ready-endpoints');
    expect(f?.explanation).toContain('payments-1');
  });

  it('flags a targetPort no container declares and proposes the declared one', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [service({ app: 'payments' }, 9090), pod('payments-1', { app: 'payments' })],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('target-port-mismatch');
    expect(f?.explanation).toContain('declare 8080/http');
    expect(f?.remediation?.patch).toMatchObject({
      field: 'spec.ports[0].targetPort',
      from: '9090',
      to: '8080',
    });
  });
});
