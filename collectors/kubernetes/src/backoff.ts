import { delay } from '@sleuth/core';

/**
 * Exponential backoff with jitter: attempt 1 waits about `baseMs`, each next one twice as long up to
 * `maxMs`; the wait is drawn from [d/2, d] so that many collectors failing together (an API server
 * restart) do not come back in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Resolves after `ms`, or at once (without failing) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, signal).catch(() => undefined);
}
