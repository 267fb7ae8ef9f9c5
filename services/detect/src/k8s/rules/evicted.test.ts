import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, at, batch, container, iso, min, play, pod, step, terminated } from '../testing/fixtures';

const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 12Mi.';
const evictedAt = (ms: number) =>
  pod({
    phase: 'Failed',
    reason: 'Evicted',
    message,
    nodeName: 'node-b',
    containers: [container('api', terminated('Error', 137, ms - min(30), ms), { ready: false })],
    extraConditions: [
      {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'TerminationByKubelet',
        lastTransitionTime: iso(ms),
      },
    ],
  });

describe('evicted rule', () => {
  it('reports an evicted pod from the eviction time, and ends when the pod is deleted', () => {
    const d = new K8sStateDetector();
    const [a] = d.observe(batch([at(evictedAt(T0), T0 + 500)]));
    expect(a?.title).toBe(`Evicted: pod shop/api-7f9 (${message})`);
    expect(a?.onsetMs).toBe(T0);
    expect(a?.explanation).toContain('from node node-b');
    expect(a?.signal).toMatchObject({ field: 'status.reason' });
    const ended = d.observe(batch([at(evictedAt(T0), T0 + min(5), true)]));
    expect(ended).toEqual([expect.objectContaining({ id: a?.id, endMs: T0 + min(5) })]);
  });

  it('ignores a pod evicted hours before it was first seen, and ends an eviction an hour old', () => {
    expect(new K8sStateDetector().observe(batch([at(evictedAt(T0 - min(180)), T0)]))).toEqual([]);
    const out = play(new K8sStateDetector(), [step(T0, [evictedAt(T0)])], {
      untilMs: T0 + min(70),
      tickMs: min(1),
    });
    expect(out.at(-1)?.endMs).toBe(T0 + min(61));
  });
});
