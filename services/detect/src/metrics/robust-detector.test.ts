import { describe, expect, it } from 'vitest';
import { DEFAULT_ROBUST_OPTIONS, RobustDetector } from './robust-detector';

/** A seeded pseudo-random stream (mulberry32), so fixtures are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request latency around 120 ms with noise and a gentle daily-like wave. */
function healthy(n: number, seed = 7): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => 120 + 15 * Math.sin((2 * Math.PI * i) / 288) + (r() - 0.5) * 10);
}

const scores = (values: number[]) => {
  const d = new RobustDetector();
  return values.map((v) => d.update(v).score);
};

describe('RobustDetector', () => {
  it('raises nothing on a healthy stretch', () => {
    const s = scores(healthy(2000));
    expect(Math.max(...s.slice(100))).toBeLessThan(0.5);
  });

  it('scores a spike high at once, and explains it against the expected range', () => {
    const values = healthy(1000);
    values[800] = 400;
    const d = new RobustDetector();
    const out = values.map((v) => d.update(v));
    expect(out[800]!.score).toBeGreaterThan(0.8);
    expect(out[800]!.expected).toBeGreaterThan(100);
    expect(out[800]!.expected).toBeLessThan(140);
    expect(out[800]!.deviation).toBeGreaterThan(10);
    expect(Math.max(...out.slice(100, 800).map((p) => p.score))).toBeLessThan(0.5);
  });

  it('catches a level shift within a few points, and does not keep alarming on the new level', () => {
    const values = healthy(1500).map((v, i) => (i >= 900 ? v + 60 : v));
    const s = scores(values);
    const first = s.findIndex((x, i) => i >= 900 && x > 0.6);
    expect(first).toBeGreaterThanOrEqual(900);
    expect(first).toBeLessThan(910);
    // Long after the shift the new level is the baseline.
    expect(Math.max(...s.slice(1300))).toBeLessThan(0.5);
  });

  it('keeps memory bounded: its window, however long the series', () => {
    const d = new RobustDetector({ ...DEFAULT_ROBUST_OPTIONS, window: 50 });
    for (let i = 0; i < 10_000; i++) d.update(i % 17);
    expect(d.held).toBe(50);
  });
});
