import { RateLimitedError } from '@sleuth/core';

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * Token buckets per key (a token, a user, a client address): `perMinute` requests a minute on
 * average, bursts up to `perMinute`. At most `maxKeys` buckets are kept; the least recently used
 * goes first, so a flood of new addresses cannot grow memory without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly what: string,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one request from `key`'s bucket; throws RateLimitedError with Retry-After when empty. */
  take(key: string): void {
    const wait = this.tryTake(key);
    if (wait > 0) {
      throw new RateLimitedError(
        `rate limit: at most ${this.perMinute} ${this.what} a minute; retry in ${wait} s`,
        wait,
        { limitPerMinute: this.perMinute },
      );
    }
  }

  /** Takes one request; 0 when allowed, else the whole seconds until one is. */
  tryTake(key: string): number {
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, atMs: now };
    this.buckets.delete(key);
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.atMs) * ratePerMs);
    b.atMs = now;
    let wait = 0;
    if (b.tokens >= 1) b.tokens -= 1;
    else wait = Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return wait;
  }

  /** Whether `key` has no request left now, without taking one. */
  exhausted(key: string): boolean {
    const b = this.buckets.get(key);
    if (!b) return false;
    return Math.min(this.perMinute, b.tokens + (this.now() - b.atMs) * (this.perMinute / 60_000)) < 1;
  }
}
