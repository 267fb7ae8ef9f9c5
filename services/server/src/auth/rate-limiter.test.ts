import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@sleuth/core';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of the per-minute limit, then refuses with the seconds until the next request', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 'requests', () => now);
    for (let i = 0; i < 60; i++) limiter.take('a');
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
    expect(limiter.tryTake('a')).toBe(1);
    // Other keys are not affected.
    expect(limiter.tryTake('b')).toBe(0);
    now += 1_000;
    expect(limiter.tryTake('a')).toBe(0);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const limiter = new RateLimiter(1, 'requests', () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    // a was evicted: it starts with a full bucket again; c is still empty.
    expect(limiter.tryTake('a')).toBe(0);
    expect(limiter.exhausted('c')).toBe(true);
  });
});
