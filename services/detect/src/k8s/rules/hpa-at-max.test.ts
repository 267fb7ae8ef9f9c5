import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, hpa, min, play, step } from '../testing/fixtures';

const limited = {
  status: 'True',
  reason: 'TooManyReplicas',
  message: 'the desired replica count is more than the maximum replica count',
  sinceMs: T0,
};

describe('hpa-at-max rule', () => {
  it('reports an HPA held at its maximum for two minutes, and ends when it scales down', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [hpa({ current: 10, limited })]), step(T0 + min(6), [hpa({ current: 7 })])],
      { untilMs: T0 + min(9) },
    );
    expect(out[0]).toMatchObject({
      title: 'HPA at max: shop/api (10/10 replicas)',
      onsetMs: T0,
      lastSeenMs: T0 + min(2),
      score: 0.4,
    });
    expect(out[0]?.explanation).toContain('more than the maximum replica count');
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(6) });
  });

  it('reports nothing for a short peak, nor for an HPA whose minimum is its maximum', () => {
    const peak = play(
      new K8sStateDetector(),
      [step(T0, [hpa({ current: 10, limited })]), step(T0 + min(1), [hpa({ current: 8 })])],
      { untilMs: T0 + min(5) },
    );
    expect(peak).toEqual([]);
    const fixed = play(new K8sStateDetector(), [step(T0, [hpa({ min: 3, max: 3, current: 3 })])], {
      untilMs: T0 + min(10),
    });
    expect(fixed).toEqual([]);
  });
});
