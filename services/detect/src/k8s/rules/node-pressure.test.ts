import { describe, expect, it } from 'vitest';
import { K8sStateDetector } from '../state-detector';
import { T0, min, node, play, step } from '../testing/fixtures';

describe('node-pressure rule', () => {
  it('reports each pressure condition as its own anomaly and ends only the one that clears', () => {
    const memory = {
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      message: 'kubelet has insufficient memory available',
      sinceMs: T0,
    };
    const disk = { status: 'True', reason: 'KubeletHasDiskPressure', sinceMs: T0 + min(1) };
    const out = play(
      new K8sStateDetector(),
      [
        step(T0 + 500, [node('node-a', { MemoryPressure: memory })]),
        step(T0 + min(1), [node('node-a', { MemoryPressure: memory, DiskPressure: disk })]),
        step(T0 + min(2), [node('node-a', { DiskPressure: disk })]),
      ],
      { untilMs: T0 + min(5) },
    );
    const titles = [...new Set(out.map((a) => a.title))];
    expect(titles).toEqual(['MemoryPressure: node node-a', 'DiskPressure: node node-a']);
    const ends = out.filter((a) => a.endMs !== undefined);
    expect(ends).toEqual([
      expect.objectContaining({ title: 'MemoryPressure: node node-a', endMs: T0 + min(2) }),
    ]);
    expect(out[0]?.signal).toMatchObject({ field: 'status.conditions[type=MemoryPressure].status' });
    expect(out[0]?.score).toBe(0.8);
  });
});
