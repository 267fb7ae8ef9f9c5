import type { ServiceCall } from '@sleuth/store';
import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { networkPolicyAnalyzer } from './network-policy';
import { NOW, ref, snap } from './testing/kube';

const NP = ref('NetworkPolicy', 'payments-ingress');
const policy = (from: Record<string, unknown>[], podSelector: Record<string, string> = { app: 'payments' }) =>
  snap(NP, {
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress'], ingress: [{ from }] },
  });
const pod = (name: string, app: string) =>
  snap(ref('Pod', name), { metadata: { labels: { app } }, spec: { containers: [] } });
const svc = (name: string) => snap(ref('Service', name), { spec: { selector: { app: name } } });
const call: ServiceCall = {
  from: { service: 'checkout', cluster: 'prod', namespace: 'shop' },
  to: { service: 'payments', cluster: 'prod', namespace: 'shop' },
  calls: 120,
  errors: 118,
  meanDurationMs: 10_000,
};
const world = [
  pod('payments-1', 'payments'),
  pod('checkout-1', 'checkout'),
  svc('payments'),
  svc('checkout'),
];

async function run(ctx: MemoryContext) {
  const findings = await networkPolicyAnalyzer.analyze(NP, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('network policy analyzer', () => {
  it('finds nothing wrong with a policy that admits the callers seen in traces', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [policy([{ podSelector: { matchLabels: { app: 'checkout' } } }]), ...world],
      calls: [call],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('reports a policy that selects no pods', async () => {
    const ctx = new MemoryContext({ nowMs: NOW, objects: [policy([], { app: 'payment' }), ...world] });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('selects-no-pods');
    expect(f?.title).toContain('app=payment');
  });

  it('reports a policy denying a call seen in traces', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [policy([{ podSelector: { matchLabels: { app: 'frontend' } } }]), ...world],
      calls: [call],
    });
    const [f, ...rest] = await run(ctx);
    expect(rest).toEqual([]);
    expect(f?.failureMode).toBe('denies-observed-call');
    expect(f?.title).toBe('NetworkPolicy payments-ingress denies calls from checkout to payments');
    expect(f?.explanation).toContain('120 calls (118 errors)');
  });

  it('reports an egress policy on the caller that does not admit the callee', async () => {
    const egress = snap(ref('NetworkPolicy', 'checkout-egress'), {
      spec: {
        podSelector: { matchLabels: { app: 'checkout' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'inventory' } } }] }],
      },
    });
    const ctx = new MemoryContext({ nowMs: NOW, objects: [egress, ...world], calls: [call] });
    const [f] = await networkPolicyAnalyzer.analyze(egress.ref, ctx);
    expect(f?.title).toBe('NetworkPolicy checkout-egress denies calls from checkout to payments');
    expect(f?.explanation).toContain('none of its egress rules admits payments');
    const allowed = snap(egress.ref, {
      spec: {
        podSelector: { matchLabels: { app: 'checkout' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'payments' } } }] }],
      },
    });
    expect(
      await networkPolicyAnalyzer.analyze(
        egress.ref,
        new MemoryContext({ nowMs: NOW, objects: [allowed, ...world], calls: [call] }),
      ),
    ).toEqual([]);
  });
});
