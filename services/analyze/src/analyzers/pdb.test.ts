import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { pdbAnalyzer } from './pdb';
import { NOW, ref, snap } from './testing/kube';

const PDB = ref('PodDisruptionBudget', 'zk');
const pdb = (allowed: number, healthy: number, desired: number) =>
  snap(PDB, {
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'zk' } } },
    status: {
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: 3,
    },
  });
const pod = (name: string, ready: boolean) =>
  snap(ref('Pod', name), {
    metadata: { labels: { app: 'zk' } },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

async function run(ctx: MemoryContext) {
  const findings = await pdbAnalyzer.analyze(PDB, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('pdb analyzer', () => {
  it('finds nothing wrong with a budget that allows a disruption', async () => {
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [pdb(1, 3, 2), pod('zk-0', true)] }))).toEqual(
      [],
    );
  });

  it('reports a budget blocking evictions because pods are already unavailable, naming them', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [pdb(0, 2, 2), pod('zk-0', true), pod('zk-1', true), pod('zk-2', false)],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('pdb-blocking');
    expect(f?.title).toBe('PDB zk blocks all evictions: 1 of 3 pods already unavailable');
    expect(f?.explanation).toContain('zk-2');
  });

  it('reports a budget that can never allow an eviction', async () => {
    const strict = snap(PDB, {
      spec: { minAvailable: 3, selector: { matchLabels: { app: 'zk' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 3, expectedPods: 3 },
    });
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [strict] }));
    expect(f?.failureMode).toBe('pdb-disallows-disruption');
  });
});
