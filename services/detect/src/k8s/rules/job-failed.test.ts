import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, at, batch, job, min, play, step } from '../testing/fixtures';

const failedCond = (sinceMs: number) => ({
  Failed: {
    status: 'True',
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
    sinceMs,
  },
});

describe('job-failed rule', () => {
  it('reports a Job whose pods fail, updates as failures rise, and keeps the id when it fails', () => {
    const d = new K8sStateDetector();
    const out = play(d, [
      step(T0, [job({ active: 1, failed: 1 })]),
      step(T0 + min(1), [job({ active: 1, failed: 2 })]),
      step(T0 + min(3), [job({ active: 0, failed: 7, conditions: failedCond(T0 + min(3)) })]),
    ]);
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect([...new Set(out.map((a) => a.title))]).toEqual([
      'Job retrying: shop/migrate (1 failed pod, backoffLimit 6)',
      'Job retrying: shop/migrate (2 failed pods, backoffLimit 6)',
      'Job failed: shop/migrate (BackoffLimitExceeded, 7 failed pods, backoffLimit 6)',
    ]);
    expect(out.at(-1)?.score).toBe(0.8);
    const ended = d.observe(batch([at(job(), T0 + min(8), true)]));
    expect(ended[0]).toMatchObject({ id: out[0]?.id, endMs: T0 + min(8) });
  });

  it('reports nothing for a Job that completes, nor for one that failed hours ago', () => {
    const ok = play(new K8sStateDetector(), [
      step(T0, [job({ active: 1 })]),
      step(T0 + min(1), [
        job({ active: 0, succeeded: 1, conditions: { Complete: { status: 'True', sinceMs: T0 + min(1) } } }),
      ]),
    ]);
    expect(ok).toEqual([]);
    const old = job({ active: 0, failed: 7, conditions: failedCond(T0 - min(300)) });
    expect(new K8sStateDetector().observe(batch([at(old, T0)]))).toEqual([]);
  });
});
