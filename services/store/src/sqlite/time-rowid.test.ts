import { describe, expect, it } from 'vitest';
import { ValidationError } from '@sleuth/core';
import {
  assertEncodable,
  MAX_ENCODABLE_MS,
  MAX_ROWID,
  msOfRowid,
  RowidAllocator,
  rowidOf,
  rowidWindow,
  SEQ_SPAN,
} from './time-rowid';

const T = Date.UTC(2025, 2, 1, 12, 0, 0);

describe('time-ordered rowids', () => {
  it('decode to the millisecond they were made from', () => {
    expect(msOfRowid(rowidOf(T, 0))).toBe(T);
    expect(msOfRowid(rowidOf(T, Number(SEQ_SPAN) - 1))).toBe(T);
  });

  it('sort by time first, then by sequence', () => {
    expect(rowidOf(T, 5)).toBeLessThan(rowidOf(T, 6));
    expect(rowidOf(T, Number(SEQ_SPAN) - 1)).toBeLessThan(rowidOf(T + 1, 0));
  });

  it('fit a signed 64-bit rowid up to the largest encodable time', () => {
    expect(rowidOf(MAX_ENCODABLE_MS - 1, Number(SEQ_SPAN) - 1)).toBeLessThan(MAX_ROWID);
    expect(new Date(MAX_ENCODABLE_MS).getUTCFullYear()).toBe(2248);
  });

  it('turn a window into a rowid range: from inclusive, to exclusive', () => {
    const w = rowidWindow(T, T + 1000);
    expect(w.lo).toBe(rowidOf(T, 0));
    expect(w.hi).toBe(rowidOf(T + 1000, 0));
    expect(w.exactFrom || w.exactTo).toBe(false);
    const open = rowidWindow(undefined, undefined);
    expect(open.lo).toBe(0n);
    expect(open.hi).toBe(MAX_ROWID);
  });

  it('widen fractional bounds to whole milliseconds and ask for an exact check', () => {
    const w = rowidWindow(T + 0.5, T + 10.25);
    expect(w.lo).toBe(rowidOf(T, 0));
    expect(w.hi).toBe(rowidOf(T + 11, 0));
    expect(w.exactFrom).toBe(true);
    expect(w.exactTo).toBe(true);
  });

  it('reject times that cannot be encoded', () => {
    for (const bad of [NaN, -1, Infinity, MAX_ENCODABLE_MS]) {
      expect(() => assertEncodable(bad, 'logs[3]')).toThrow(ValidationError);
    }
    expect(() => assertEncodable(-1, 'logs[3]')).toThrow(/logs\[3\]/);
    expect(() => assertEncodable(T, 'logs[0]')).not.toThrow();
  });
});

describe('RowidAllocator', () => {
  it('numbers records of one millisecond in arrival order', () => {
    const a = new RowidAllocator(() => undefined);
    expect([a.allocate(T), a.allocate(T), a.allocate(T + 1)]).toEqual([
      rowidOf(T, 0),
      rowidOf(T, 1),
      rowidOf(T + 1, 0),
    ]);
  });

  it('continues after the highest stored rowid when a candidate is taken', () => {
    const a = new RowidAllocator((ms) => (ms === T ? rowidOf(T, 41) : undefined));
    const first = a.allocate(T);
    expect(a.afterConflict(first)).toBe(rowidOf(T, 42));
    expect(a.allocate(T)).toBe(rowidOf(T, 43));
  });

  it('spills into the next millisecond when one is full, and says so', () => {
    const a = new RowidAllocator(() => rowidOf(T, Number(SEQ_SPAN) - 1));
    const next = a.afterConflict(a.allocate(T));
    expect(next).toBe(rowidOf(T + 1, 0));
    expect(a.lastMs).toBe(T + 1);
  });

  it('forgets its hints when it tracks too many milliseconds', () => {
    const a = new RowidAllocator(() => undefined, 2);
    a.allocate(T);
    a.allocate(T + 1);
    a.allocate(T + 2);
    a.trim();
    expect(a.allocate(T)).toBe(rowidOf(T, 0));
  });
});
