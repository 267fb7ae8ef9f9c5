import { seededRandom } from '@sleuth/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERIES_OPTIONS, SeriesDetector, type PointScore } from './series-detector';

/** Request latency around 120 ms: a daily wave (288 points a day) plus noise. */
function healthy(n: number, seed = 7): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => 120 + 15 * Math.sin((2 * Math.PI * i) / 288) + (r() - 0.5) * 10);
}

/**
 * The score this detector must give what it should catch, and must not reach on healthy data:
 * its NAB-optimised threshold (0.18), rounded up. Whether the server raises an alarm is the
 * metric detector's policy, stricter still, tested in metric-detector.test.ts.
 */
const LEVEL = 0.2;

function run(values: number[]): PointScore[] {
  const d = new SeriesDetector();
  return values.map((v) => d.update(v));
}

const alarms = (out: PointScore[], from = 0, to = out.length) =>
  out
    .map((p, i) => ({ ...p, i }))
    .slice(from, to)
    .filter((p) => p.score >= LEVEL);

describe('SeriesDetector', () => {
  it('raises nothing over ten healthy days, several seeds', () => {
    for (const seed of [1, 7, 42]) {
      const out = run(healthy(2880, seed));
      expect(alarms(out)).toEqual([]);
    }
  });

  it('reports a spike beyond the usual range at once, as an extreme, with the range it left', () => {
    const values = healthy(1500);
    values[1200] = 400;
    const out = run(values);
    expect(out[1200]).toMatchObject({ kind: 'extreme', score: 1 });
    expect(out[1200]!.expectedLow).toBeGreaterThan(95);
    expect(out[1200]!.expectedHigh).toBeLessThan(145);
    expect(alarms(out, 0, 1200)).toEqual([]);
  });

  it("does not take a few narrow records for the series' nature: a moderate new high is no alarm, a spike is", () => {
    // One step of noise (10, 11, 10, ...); its five records before the warm-up ends each beat the
    // high by a tenth of a step, as the first records of a heavy-tailed gauge (event-loop lag)
    // can by chance. Five steps past the high is then an ordinary far draw for such a series, not
    // a once-in-a-million record: it scores as an extreme below the server's alarm level (0.6).
    const series = (last: number): number[] => {
      const v = Array.from({ length: 401 }, (_, i) => 10 + (i % 2));
      for (let k = 0; k < 5; k++) v[30 + k * 20] = 11.1 + k * 0.1;
      v[400] = 11.5 + last;
      return v;
    };
    const moderate = run(series(5))[400]!;
    expect(moderate.kind).toBe('extreme');
    expect(moderate.score).toBeGreaterThanOrEqual(0.3);
    expect(moderate.score).toBeLessThan(0.6);
    expect(run(series(25))[400]).toMatchObject({ kind: 'extreme', score: 1 });
  });

  it('catches a level shift beyond the usual range at its first point, and reports it once', () => {
    const values = healthy(2000).map((v, i) => (i >= 1500 ? v + 40 : v));
    const out = run(values);
    const found = alarms(out, 1400);
    expect(found[0]?.kind).toBe('extreme');
    expect(found[0]!.i).toBeGreaterThanOrEqual(1500);
    expect(found[0]!.i).toBeLessThan(1505);
    expect(alarms(out, 0, 1500)).toEqual([]);
    // One episode, not a stream of alarms: a few new highs at most while the new level settles.
    expect(found.length).toBeLessThanOrEqual(3);
  });

  it('catches a series that keeps to its range but loses its rhythm, as a pattern', () => {
    // From point 1500 the values jump between the wave's low and high: every value is
    // ordinary, their order is not.
    const r = seededRandom(3);
    const values = healthy(2000).map((v, i) => (i >= 1500 ? (r() < 0.5 ? 108 : 132) + (r() - 0.5) * 4 : v));
    const out = run(values);
    const found = alarms(out, 1400);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.i).toBeGreaterThanOrEqual(1500);
    expect(found[0]!.i).toBeLessThan(1530);
    expect(found[0]!.kind).toBe('pattern');
    expect(alarms(out, 0, 1500)).toEqual([]);
  });

  it('reports a busy series that goes flat, once; a series that is always flat never', () => {
    const values = healthy(1500).map((v, i) => (i >= 1000 && i < 1100 ? 131 : v));
    const out = run(values);
    const flat = alarms(out).filter((p) => p.kind === 'flat-line');
    expect(flat).toHaveLength(1);
    expect(flat[0]!.i).toBeGreaterThanOrEqual(1005);
    expect(flat[0]!.i).toBeLessThan(1015);
    expect(alarms(run(new Array<number>(2000).fill(5)))).toEqual([]);
  });

  it('does not call the plateaus of a square wave flat lines', () => {
    const square = Array.from({ length: 3000 }, (_, i) => (Math.floor(i / 50) % 2 === 0 ? 10 : 20));
    expect(alarms(run(square))).toEqual([]);
  });

  it('ignores non-finite values', () => {
    const d = new SeriesDetector();
    for (const v of healthy(400)) d.update(v);
    expect(d.update(NaN).score).toBe(0);
    expect(d.update(Infinity).score).toBe(0);
    expect(d.count).toBe(400);
  });

  it('holds fixed memory however long the series and however many distinct values', () => {
    const d = new SeriesDetector();
    for (let i = 0; i < DEFAULT_SERIES_OPTIONS.warmup; i++) d.update(i % 10);
    const settled = d.bytes;
    // A drifting series visits far more buckets than the table holds.
    for (let i = 0; i < 50_000; i++) d.update(i * 0.37);
    expect(d.bytes).toBe(settled);
    expect(settled).toBeLessThan(5 * 1024);
  });

  it('learns the daily shape and catches a level that is ordinary but at the wrong time of day', () => {
    // Five-minute points: busy by day, quiet by night, for three days; on the fourth the series
    // stays at its daytime level through the night.
    const T0 = Date.UTC(2026, 10, 2);
    const r = seededRandom(12);
    const perDay = 288;
    const level = (i: number) => 100 + 40 * Math.sin((2 * Math.PI * i) / perDay);
    const night = (i: number) => Math.floor(i / perDay) === 3 && level(i) < 80;
    const values = Array.from(
      { length: 4 * perDay },
      (_, i) => (night(i) ? 135 : level(i)) + (r() - 0.5) * 6,
    );
    const d = new SeriesDetector();
    const out = values.map((v, i) => ({ ...d.update(v, T0 + i * 300_000), i }));
    const start = values.findIndex((_, i) => night(i));
    expect(out.slice(0, start).filter((p) => p.score >= LEVEL)).toEqual([]);
    const found = out.slice(start).find((p) => p.score >= LEVEL);
    expect(found?.kind).toBe('time-of-day');
    expect(found!.i - start).toBeLessThan(12);
    // What this half-hour usually shows is well below the daytime level the series is stuck at.
    expect(found!.expectedHigh).toBeLessThan(125);
  });

  it('stays quiet over ten days of an ordinary daily shape, several seeds', () => {
    const T0 = Date.UTC(2026, 10, 2);
    for (const seed of [2, 5, 9]) {
      const r = seededRandom(seed);
      const d = new SeriesDetector();
      for (let i = 0; i < 2880; i++) {
        const v = 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + (r() - 0.5) * 6;
        const p = d.update(v, T0 + i * 300_000);
        if (i >= DEFAULT_SERIES_OPTIONS.warmup)
          expect(p.score, `seed ${seed} point ${i} (${p.kind})`).toBeLessThan(LEVEL);
      }
    }
  });

  it('learns quiet weekends, and catches a weekday that looks like a weekend', () => {
    // Four weeks of five-minute points from Monday 2026-11-02 (UTC): weekdays busy, weekends at
    // half the level. On the fourth Wednesday the service is as quiet as on a Sunday.
    const T0 = Date.UTC(2026, 10, 2);
    const perDay = 288;
    const r = seededRandom(21);
    const day = (i: number) => Math.floor(i / perDay);
    const quiet = (i: number) => day(i) % 7 >= 5 || day(i) === 23;
    const values = Array.from({ length: 28 * perDay }, (_, i) => {
      const wave = Math.sin((2 * Math.PI * i) / perDay);
      return (quiet(i) ? 50 + 20 * wave : 100 + 40 * wave) + (r() - 0.5) * 6;
    });
    const d = new SeriesDetector();
    const out = values.map((v, i) => ({ ...d.update(v, T0 + i * 300_000), i }));
    const alarms = (fromDay: number, toDay: number) =>
      out.slice(fromDay * perDay, toDay * perDay).filter((p) => p.score >= LEVEL);
    // From the second Sunday on, weekends and weekdays are known (the first weekend is news).
    expect(alarms(13, 23)).toEqual([]);
    const wednesday = alarms(23, 24);
    expect(wednesday.length).toBeGreaterThan(0);
    expect(wednesday[0]!.kind).toBe('time-of-day');
    expect(wednesday[0]!.i - 23 * perDay).toBeLessThan(24);
  });
});
