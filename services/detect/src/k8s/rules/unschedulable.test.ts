import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, container, min, play, pod, running, sec, step, waiting } from '../testing/fixtures';

const message = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.';
const pending = pod({
  phase: 'Pending',
  containers: [container('api', waiting('ContainerCreating'))],
  scheduled: { status: 'False', reason: 'Unschedulable', message, sinceMs: T0 },
});
const placed = (atMs: number) =>
  pod({ scheduled: { status: 'True', sinceMs: atMs }, containers: [container('api', running(atMs))] });

describe('unschedulable rule', () => {
  it('reports a pod unschedulable for more than 30 s, from when it became so, and ends when placed', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [pending]), step(T0 + min(2), [placed(T0 + min(2))])],
      {
        untilMs: T0 + min(3),
      },
    );
    expect(out[0]?.title).toBe(`Unschedulable: pod shop/api-7f9 (${message})`);
    expect(out[0]?.onsetMs).toBe(T0);
    expect(out[0]?.lastSeenMs).toBe(T0 + sec(30));
    expect(out[0]?.score).toBe(0.6);
    expect(out[0]?.signal).toMatchObject({ field: 'status.conditions[type=PodScheduled].reason' });
    expect(out.at(-1)).toMatchObject({ id: out[0]?.id, endMs: T0 + min(2) });
  });

  it('reports nothing for a pod Pending for 5 s', () => {
    const out = play(
      new K8sStateDetector(),
      [step(T0, [pending]), step(T0 + sec(5), [placed(T0 + sec(5))])],
      {
        untilMs: T0 + min(5),
      },
    );
    expect(out).toEqual([]);
  });
});
