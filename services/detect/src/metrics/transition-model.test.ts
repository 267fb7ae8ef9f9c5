import { describe, expect, it } from 'vitest';
import { TransitionModel } from './transition-model';

describe('TransitionModel', () => {
  it('finds the usual successor unsurprising and an unseen one fully surprising', () => {
    const m = new TransitionModel({ buckets: 10, capacity: 16, neighbourWeight: 0 });
    // A saw-tooth 0, 1, ..., 9, 0, 1, ...: after 3 always comes 4.
    m.calibrate(Array.from({ length: 200 }, (_, i) => i % 10));
    for (let v = 0; v <= 3; v++) m.next(v);
    expect(m.next(4)).toBe(0);
    const [low, high] = m.expectedRange() ?? [NaN, NaN];
    expect(low).toBeLessThanOrEqual(4);
    expect(high).toBeGreaterThan(4);
    // After 5 comes 6, never 1.
    expect(m.next(1)).toBe(1);
  });

  it('counts a neighbouring bucket as partly expected', () => {
    const m = new TransitionModel({ buckets: 10, capacity: 16, neighbourWeight: 0.5 });
    m.calibrate(Array.from({ length: 200 }, (_, i) => i % 10));
    m.next(2);
    // After 2 comes 3; 4 is next door.
    expect(m.next(4)).toBeCloseTo(0.5);
  });

  it('forgets the least recently used bucket when full, and keeps working', () => {
    const m = new TransitionModel({ buckets: 4, capacity: 4, neighbourWeight: 0 });
    m.calibrate([0, 1, 2, 3, 0, 1, 2, 3]);
    const bytes = m.bytes;
    // Far outside the learned range: every value is a new bucket.
    for (let v = 100; v < 200; v++) expect(m.next(v)).toBe(1);
    expect(m.bytes).toBe(bytes);
    // Back to a short cycle: it is learned again.
    for (let k = 0; k < 20; k++) for (const v of [0, 1, 2]) m.next(v);
    expect(m.next(0)).toBe(0);
  });
});
