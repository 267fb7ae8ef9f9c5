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
