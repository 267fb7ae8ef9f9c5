import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, deployment, min, play, step } from '../testing/fixtures';

const rolling = {
  status: 'True',
  reason: 'ReplicaSetUpdated',
  message: 'ReplicaSet "api-5d8f" is progressing.',
  sinceMs: T0,
  updatedMs: T0,
};
const exceeded = {
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "api-5d8f" has timed out progressing.',
  sinceMs: T0 + min(10),
};

describe('rollout-stalled rule', () => {
  it('reports a rollout with no progress for five minutes, then its deadline exceeded as the same anomaly', () => {
    const d = new K8sStateDetector();
    const out = play(
      d,
      [
        step(T0, [deployment({ generation: 2, updated: 1, available: 4, progressing: rolling })]),
        step(T0 + min(10), [deployment({ generation: 2, updated: 1, available: 4, progressing: exceeded })]),
        step(T0 + min(12), [
          deployment({
            generation: 3,
            progressing: { status: 'True', reason: 'NewReplicaSetAvailable', sinceMs: T0 + min(12) },
          }),
        ]),
      ],
      { untilMs: T0 + min(13) },
    );
    expect(new Set(out.map((a) => a.id)).size).toBe(1);
    expect(out[0]).toMatchObject({
      title:
        'Rollout stalled: deployment shop/api (no progress since 2024-05-01T10:00:00Z, 1/4 updated, 4 available)',
      onsetMs: T0,
      lastSeenMs: T0 + min(5),
      score: 0.6,
    });
    const deadline = out.find((a) => a.title.includes('ProgressDeadlineExceeded'));
    expect(deadline).toMatchObject({ score: 0.8, onsetMs: T0 });
    expect(deadline?.explanation).toContain('has timed out progressing');
    expect(out.at(-1)?.endMs).toBe(T0 + min(12));
  });

  it('reports a generation the controller has not observed for two minutes', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [deployment({ generation: 5, observedGeneration: 4 })])],
      {
        untilMs: T0 + min(3),
      },
    );
    expect(out[0]?.title).toBe('Rollout stalled: deployment shop/api (generation 5 not observed, at 4)');
    expect(out[0]?.lastSeenMs).toBe(T0 + min(2));
  });

  it('reports nothing for a paused rollout', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [deployment({ paused: true, generation: 2, updated: 1, progressing: rolling })])],
      { untilMs: T0 + min(20) },
    );
    expect(out).toEqual([]);
  });
});
