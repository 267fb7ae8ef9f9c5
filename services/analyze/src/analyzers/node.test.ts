import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { nodeAnalyzer } from './node';
import { NOW, event, ref, snap } from './testing/kube';

const NODE = ref('Node', 'worker-3', null);
const node = (conditions: Record<string, unknown>[]) => snap(NODE, { status: { conditions } });
const ok = [
  { type: 'Ready', status: 'True', reason: 'KubeletReady' },
  { type: 'MemoryPressure', status: 'False' },
  { type: 'DiskPressure', status: 'False' },
];

async function run(ctx: MemoryContext) {
  const findings = await nodeAnalyzer.analyze(NODE, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('node analyzer', () => {
  it('finds nothing wrong with a Ready node without pressure', async () => {
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [node(ok)] }))).toEqual([]);
  });

  it('reports a node whose kubelet stopped reporting', async () => {
    const down = node([
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        lastTransitionTime: '2026-03-02T11:50:00Z',
      },
    ]);
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [down] }));
    expect(f?.failureMode).toBe('node-not-ready');
    expect(f?.title).toBe('Node worker-3 is not reporting (Ready=Unknown)');
  });

  it('ties memory pressure to the pods it evicted, quoting the kubelet', async () => {
    const pressured = node([
      { type: 'Ready', status: 'True' },
      { type: 'MemoryPressure', status: 'True', message: 'kubelet has insufficient memory available' },
    ]);
    const evicted = snap(ref('Pod', 'batch-7'), {
      spec: { nodeName: 'worker-3' },
      status: {
        phase: 'Failed',
        reason: 'Evicted',
        message:
          'The node was low on resource: memory. Container worker was using 3Gi, which exceeds its request of 512Mi.',
      },
    });
    const ev = event(NODE, 'EvictionThresholdMet', 'Attempting to reclaim memory');
    const findings = await run(
      new MemoryContext({ nowMs: NOW, objects: [pressured, evicted], events: [ev] }),
    );
    expect(findings.map((f) => f.failureMode)).toEqual(['node-pressure', 'pods-evicted']);
    expect(findings[0]?.title).toBe('Node worker-3 is under memory pressure');
    expect(findings[1]?.explanation).toContain('exceeds its request of 512Mi');
    expect(findings[1]?.evidence).toContainEqual(
      expect.objectContaining({ signal: { kind: 'event', ids: [ev.id] } }),
    );
  });

  it('reports a node whose pod network is not configured', async () => {
    const cut = node([
      ...ok,
      {
        type: 'NetworkUnavailable',
        status: 'True',
        reason: 'NoRouteCreated',
        message: 'Node created without a route',
      },
    ]);
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [cut] }));
    expect(f?.failureMode).toBe('node-network-unavailable');
    expect(f?.explanation).toContain('NoRouteCreated');
  });
});
