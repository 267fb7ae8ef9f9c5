import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, min, play, sec, statefulSet, step } from '../testing/fixtures';

describe('statefulset-unavailable rule', () => {
  it('reports a StatefulSet with no ready replica for three minutes, and ends when ready', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [statefulSet({ ready: 0 })]), step(T0 + min(5), [statefulSet({ ready: 1 })])],
      { untilMs: T0 + min(8) },
    );
    expect(out[0]).toMatchObject({
      title: 'Unavailable: statefulset data/postgres (0/1 ready)',
      score: 0.8,
      lastSeenMs: T0 + min(3),
    });
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(5) });
  });

  it('reports nothing for a pod restarted by an ordered rolling update', () => {
    const out = play(
      new K8sStateDetector(),
      [
        step(T0, [statefulSet({ replicas: 3, ready: 2 })]),
        step(T0 + sec(50), [statefulSet({ replicas: 3, ready: 3 })]),
      ],
      { untilMs: T0 + min(6) },
    );
    expect(out).toEqual([]);
  });
});
