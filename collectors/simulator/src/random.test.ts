import { describe, expect, it } from 'vitest';
import { Rng } from './random';

describe('Rng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws values in range with the right shape', () => {
    const r = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      expect(Number.isInteger(n)).toBe(true);
    }
    expect(r.hex(32)).toMatch(/^[0-9a-f]{32}$/);
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.k8sSuffix(5)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const mean = Array.from({ length: 2000 }, () => r.poisson(4)).reduce((s, x) => s + x, 0) / 2000;
    expect(mean).toBeGreaterThan(3.7);
    expect(mean).toBeLessThan(4.3);
    expect(
      r.weighted([
        { weight: 0, value: 'never' },
        { weight: 1, value: 'always' },
      ]),
    ).toBe('always');
  });
});
