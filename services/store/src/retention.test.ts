import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@sleuth/core';
import { RetentionScheduler } from './retention';
import type { RetentionPolicy, RetentionReport } from './store';

const REPORT: RetentionReport = {
  deleted: { logs: 3, metrics: 0, spans: 0, events: 1, objects: 0 },
  bytesBefore: 100,
  bytesAfter: 60,
};

function captureLogs(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger('debug', {
    write: (chunk: string) => {
      out.push(chunk);
      return true;
    },
  } as NodeJS.WritableStream);
  return {
    logger,
    lines: () => out.map((l): Record<string, unknown> => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('RetentionScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('enforces the current policy every interval and logs what was deleted', async () => {
    const policies: RetentionPolicy[] = [];
    const store = {
      enforceRetention: vi.fn((p: RetentionPolicy) => {
        policies.push(p);
        return Promise.resolve(REPORT);
      }),
    };
    let now = 1000;
    const { logger, lines } = captureLogs();
    const scheduler = new RetentionScheduler({
      store,
      intervalMs: 60_000,
      policy: () => ({ maxAgeMs: 10, maxBytes: 20, nowMs: now++ }),
      logger,
    });
    await scheduler.start();
    expect(store.enforceRetention).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(policies.map((p) => p.nowMs)).toEqual([1000, 1001]);
    expect(lines().filter((l) => l['msg'] === 'retention deleted old signals')[0]).toMatchObject({
      deleted: REPORT.deleted,
      bytesAfter: 60,
    });
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(store.enforceRetention).toHaveBeenCalledTimes(2);
  });

  it('logs a failed run and keeps going', async () => {
    const store = {
      enforceRetention: vi
        .fn<(p: RetentionPolicy) => Promise<RetentionReport>>()
        .mockRejectedValueOnce(new Error('disk on fire'))
        .mockResolvedValue(REPORT),
    };
    const { logger, lines } = captureLogs();
    const scheduler = new RetentionScheduler({
      store,
      intervalMs: 1000,
      policy: () => ({ maxAgeMs: 1, maxBytes: 1, nowMs: 1 }),
      logger,
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.enforceRetention).toHaveBeenCalledTimes(2);
    const failed = lines().find((l) => l['msg'] === 'retention run failed; will retry next interval');
    expect(failed).toMatchObject({ level: 50, err: { message: 'disk on fire' } });
    await scheduler.stop();
  });

  it('stops idempotently, also without start, waiting for a run in progress', async () => {
    let finish: (r: RetentionReport) => void = () => undefined;
    const store = { enforceRetention: vi.fn(() => new Promise<RetentionReport>((r) => (finish = r))) };
    const { logger } = captureLogs();
    const idle = new RetentionScheduler({
      store,
      intervalMs: 1000,
      policy: () => ({ maxAgeMs: 1, maxBytes: 1, nowMs: 1 }),
      logger,
    });
    await idle.stop();
    const scheduler = new RetentionScheduler({
      store,
      intervalMs: 1000,
      policy: () => ({ maxAgeMs: 1, maxBytes: 1, nowMs: 1 }),
      logger,
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish(REPORT);
    await stopping;
    await scheduler.stop();
    expect(store.enforceRetention).toHaveBeenCalledTimes(1);
  });
});
