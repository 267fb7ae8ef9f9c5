import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, daemonSet, min, play, step } from '../testing/fixtures';

describe('daemonset-unavailable rule', () => {
  it('reports a DaemonSet with pods unavailable for three minutes', () => {
    const out = play(new K8sStateDetector(), [step(T0, [daemonSet({ desired: 3, available: 2 })])], {
      untilMs: T0 + min(4),
    });
    expect(out[0]).toMatchObject({
      title: 'Unavailable: daemonset monitoring/node-exporter (1/3 nodes unavailable)',
      lastSeenMs: T0 + min(3),
      score: 0.6,
    });
  });

  it('reports nothing for a DaemonSet with every pod available', () => {
    expect(play(new K8sStateDetector(), [step(T0, [daemonSet()])], { untilMs: T0 + min(10) })).toEqual([]);
  });
});
