import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, deployment, min, play, sec, step } from '../testing/fixtures';

const rolling = { status: 'True', reason: 'ReplicaSetUpdated', sinceMs: T0, updatedMs: T0 };
const done = (atMs: number) => ({
  status: 'True',
  reason: 'NewReplicaSetAvailable',
  sinceMs: T0,
  updatedMs: atMs,
});

describe('deployment-unavailable rule', () => {
  it('reports nothing for a normal rollout one replica short for four minutes while it progresses', () => {
    const progress = (atMs: number) => ({ ...rolling, updatedMs: atMs });
    const rollout = (atMs: number, updated: number, available: number) =>
      step(atMs, [deployment({ generation: 2, updated, available, progressing: progress(atMs) })]);
    const out = play(
      new K8sStateDetector(),
      [
        rollout(T0, 1, 4),
        rollout(T0 + sec(20), 2, 3),
        rollout(T0 + min(2), 3, 3),
        rollout(T0 + min(4), 4, 3),
        step(T0 + min(4) + sec(20), [
          deployment({ generation: 2, progressing: done(T0 + min(4) + sec(20)) }),
        ]),
      ],
      { untilMs: T0 + min(15) },
    );
    expect(out).toEqual([]);
  });

  it('reports a Deployment without minimum availability at once, and ends when available', () => {
    const down = deployment({
      available: 1,
      availableCond: {
        status: 'False',
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
        sinceMs: T0,
      },
    });
    const out = play(new K8sStateDetector(), [step(T0 + sec(3), [down]), step(T0 + min(3), [deployment()])], {
      untilMs: T0 + min(6),
    });
    expect(out[0]).toMatchObject({
      title: 'Unavailable: deployment shop/api (1/4 available)',
      onsetMs: T0,
      lastSeenMs: T0 + sec(3),
      score: 0.8,
    });
    expect(out[0]?.explanation).toContain('MinimumReplicasUnavailable');
    expect(out[0]?.explanation).toContain('3 unavailable');
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(3) });
  });

  it('keeps one anomaly while availability blinks back for less than two minutes', () => {
    const down = (sinceMs: number) =>
      deployment({
        available: 2,
        availableCond: { status: 'False', reason: 'MinimumReplicasUnavailable', sinceMs },
      });
    const up = (sinceMs: number) =>
      deployment({ availableCond: { status: 'True', reason: 'MinimumReplicasAvailable', sinceMs } });
    const out = play(
      new K8sStateDetector(),
      [
        step(T0, [down(T0)]),
        step(T0 + sec(30), [up(T0 + sec(30))]),
        step(T0 + sec(50), [down(T0 + sec(50))]),
        step(T0 + min(2), [up(T0 + min(2))]),
      ],
      { untilMs: T0 + min(6) },
    );
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect(out[0]?.onsetMs).toBe(T0);
    expect(out.filter((a) => a.endMs !== undefined)).toEqual([
      expect.objectContaining({ endMs: T0 + min(2) }),
    ]);
  });

  it('reports a replica missing for two minutes with no rollout under way', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [deployment({ available: 3, progressing: done(T0) })])],
      {
        untilMs: T0 + min(3),
      },
    );
    expect(out[0]).toMatchObject({
      title: 'Degraded: deployment shop/api (3/4 available)',
      onsetMs: T0,
      lastSeenMs: T0 + min(2),
      score: 0.6,
    });
  });
});
