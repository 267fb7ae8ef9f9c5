import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, at, batch, min, node, play, step } from '../testing/fixtures';

const lost = node('node-b', {
  Ready: {
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
    sinceMs: T0,
  },
});

describe('node-not-ready rule', () => {
  it('reports a node whose Ready is Unknown at once, as critical, and ends when it is Ready again', () => {
    const out = play(new K8sStateDetector(), [step(T0 + 800, [lost]), step(T0 + min(4), [node('node-b')])], {
      untilMs: T0 + min(7),
    });
    expect(out[0]).toMatchObject({
      title: 'NotReady: node node-b (Kubelet stopped posting node status.)',
      onsetMs: T0,
      lastSeenMs: T0 + 800,
      score: 0.9,
      resource: { cluster: 'prod', kind: 'Node', name: 'node-b' },
    });
    expect(out[0]?.explanation).toContain('Ready Unknown, reason NodeStatusUnknown');
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(4) });
  });

  it('gives the same id to a detector restarted on the same state', () => {
    const a = new K8sStateDetector().observe(batch([at(lost, T0 + 800)]));
    const b = new K8sStateDetector().observe(batch([at(lost, T0 + min(3))]));
    expect(b[0]?.id).toBe(a[0]?.id);
  });

  it('reports nothing for a healthy node, however often it is seen', () => {
    const steps = Array.from({ length: 10 }, (_, i) => step(T0 + min(i), [node('node-a')]));
    expect(play(new K8sStateDetector(), steps)).toEqual([]);
  });
});
