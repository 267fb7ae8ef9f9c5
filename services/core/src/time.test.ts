import { describe, expect, it } from 'vitest';
import { msToNanos, nanosToMs, parseDuration, parseTime } from './time';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('time', () => {
  it('converts OTLP nanoseconds to milliseconds without losing microseconds', () => {
    expect(nanosToMs('1700000000123456789')).toBeCloseTo(1700000000123.4568, 3);
    expect(nanosToMs(1700000000123456789n)).toBeCloseTo(1700000000123.4568, 3);
    expect(msToNanos(1700000000123.5)).toBe('1700000000123500000');
    expect(nanosToMs(msToNanos(NOW))).toBe(NOW);
  });

  it('parses durations and refuses malformed ones', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration('-5m')).toBeUndefined();
    expect(parseDuration('5y')).toBeUndefined();
  });

  it('parses times relative to now, in epoch ms and in RFC 3339', () => {
    expect(parseTime('now', NOW)).toBe(NOW);
    expect(parseTime('now-15m', NOW)).toBe(NOW - 900_000);
    expect(parseTime('now+1m', NOW)).toBe(NOW + 60_000);
    expect(parseTime(String(NOW), NOW)).toBe(NOW);
    expect(parseTime('2026-11-23T09:00:00Z', NOW)).toBe(NOW - 3_600_000);
    expect(parseTime('now-', NOW)).toBeUndefined();
    expect(parseTime('yesterday', NOW)).toBeUndefined();
  });
});
