import { describe, expect, it } from 'vitest';
import {
  PROFILES,
  normalisedScore,
  optimizeThreshold,
  probationLength,
  scaledSigmoid,
  scoreAt,
  scoresByThreshold,
} from '../bench/nab/scorer';

/**
 * The NAB v1 scorer on files small enough to score by hand. (bench/nab.ts also checks it against
 * every official per-file score of the official detectors' outputs in the data folder.)
 */
const std = PROFILES['standard']!;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const ts = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 60_000);
/** 100 rows, probation 15, one window over rows 50..59. */
const times = ts(100);
const windows = [[times[50]!, times[59]!] as const];
const scoresWith = (hits: Record<number, number>) => times.map((_, i) => hits[i] ?? 0);

describe('NAB v1 scoring', () => {
  it('has the scaled sigmoid and probation of the definition', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(probationLength(100)).toBe(15);
    expect(probationLength(10_000)).toBe(750);
  });

  it('gives a detection at the start of a window the full tpWeight, and a missed window -fnWeight', () => {
    const early = scoresByThreshold(times, scoresWith({ 50: 1 }), windows, std);
    expect(scoreAt(early, 0.5).score).toBeCloseTo(1, 12);
    expect(scoreAt(early, 0.5)).toMatchObject({ tp: 1, fp: 0 });
    const none = scoresByThreshold(times, scoresWith({}), windows, std);
    expect(scoreAt(none, 0.5).score).toBe(-1);
    expect(scoreAt(none, 0.5)).toMatchObject({ tp: 0, fn: 10, tn: 75 });
  });

  it('counts only the earliest detection in a window, worth less the later it comes', () => {
    const late = scoresByThreshold(times, scoresWith({ 58: 1 }), windows, std);
    const lateScore = scoreAt(late, 0.5).score;
    // Row 58 of 50..59: position -(59-58+1)/10 = -0.2.
    expect(lateScore).toBeCloseTo(scaledSigmoid(-0.2) / scaledSigmoid(-1), 12);
    const both = scoresByThreshold(times, scoresWith({ 52: 1, 58: 1 }), windows, std);
    expect(scoreAt(both, 0.5).score).toBeCloseTo(scaledSigmoid(-0.8) / scaledSigmoid(-1), 12);
  });

  it('charges a false positive by its distance after the previous window, or fully before any', () => {
    const after = scoresByThreshold(times, scoresWith({ 50: 1, 70: 1 }), windows, std);
    // |59 - 70| / (10 - 1) window widths after the window.
    expect(scoreAt(after, 0.5).score).toBeCloseTo(1 + 0.11 * scaledSigmoid(11 / 9), 12);
    const before = scoresByThreshold(times, scoresWith({ 50: 1, 30: 1 }), windows, std);
    expect(scoreAt(before, 0.5).score).toBeCloseTo(1 - 0.11, 12);
    // A detection in the probation period is not scored at all.
    const probation = scoresByThreshold(times, scoresWith({ 50: 1, 5: 1 }), windows, std);
    expect(scoreAt(probation, 0.5).score).toBeCloseTo(1, 12);
  });

  it('detects every row whose anomaly score is at least the threshold', () => {
    const table = scoresByThreshold(times, scoresWith({ 50: 0.7, 30: 0.6 }), windows, std);
    expect(scoreAt(table, 0.7)).toMatchObject({ tp: 1, fp: 0 });
    expect(scoreAt(table, 0.65)).toMatchObject({ tp: 1, fp: 0 });
    expect(scoreAt(table, 0.6)).toMatchObject({ tp: 1, fp: 1 });
    expect(scoreAt(table, 0.8)).toMatchObject({ tp: 0, fp: 0 });
  });

  it('optimises one threshold over a corpus and normalises between the null and a perfect detector', () => {
    const a = scoresByThreshold(times, scoresWith({ 50: 0.9, 30: 0.95 }), windows, std);
    const b = scoresByThreshold(times, scoresWith({ 55: 0.8 }), windows, std);
    const best = optimizeThreshold([a, b]);
    expect(best.threshold).toBe(0.8);
    expect(best.score).toBeCloseTo(scoreAt(a, 0.8).score + scoreAt(b, 0.8).score, 12);
    const nullScore = -2;
    expect(normalisedScore(2, nullScore, 2, std)).toBe(100);
    expect(normalisedScore(nullScore, nullScore, 2, std)).toBe(0);
  });
});
