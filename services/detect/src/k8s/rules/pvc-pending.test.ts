import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, min, play, pvc, sec, step } from '../testing/fixtures';

describe('pvc-pending rule', () => {
  it('reports a claim Pending two minutes after creation, and ends when bound', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0 + sec(1), [pvc({ phase: 'Pending' })]), step(T0 + min(4), [pvc({ phase: 'Bound' })])],
      { untilMs: T0 + min(5) },
    );
    expect(out[0]).toMatchObject({
      title: 'PVC Pending: data/data-postgres-0 (storage class gp3)',
      onsetMs: T0,
      lastSeenMs: T0 + min(2) + sec(1),
      score: 0.6,
    });
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(4) });
  });

  it('reports nothing for a claim bound within a minute', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0 + sec(1), [pvc({ phase: 'Pending' })]), step(T0 + sec(40), [pvc({ phase: 'Bound' })])],
      { untilMs: T0 + min(5) },
    );
    expect(out).toEqual([]);
  });

  it('reports a Lost claim at once, as high', () => {
    const out = play(new K8sStateDetector(), [step(T0 + min(30), [pvc({ phase: 'Lost' })])]);
    expect(out[0]).toMatchObject({ title: 'PVC Lost: data/data-postgres-0 (storage class gp3)', score: 0.8 });
  });
});
