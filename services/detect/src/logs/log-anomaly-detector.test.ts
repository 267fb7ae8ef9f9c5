import { describe, expect, it } from 'vitest';
import type { Anomaly, LogRecord, Severity, SignalSource } from '@sleuth/core';
import { emptyBatch, seededRandom } from '@sleuth/core';
import { LogTemplateDetector } from './log-anomaly-detector';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const CHECKOUT: SignalSource = {
  cluster: 'prod',
  namespace: 'shop',
  workload: 'checkout',
  workloadKind: 'Deployment',
  pod: 'checkout-7d9f-x2k4q',
};
const CART: SignalSource = { cluster: 'prod', namespace: 'shop', workload: 'cart', pod: 'cart-5c4b-p9z1m' };

let nextId = 0;
function line(
  minute: number,
  body: string,
  severity: Severity = 'info',
  source = CHECKOUT,
  at = 0.5,
): LogRecord {
  return { id: `rec-${++nextId}`, timeMs: T0 + (minute + at) * MIN, source, severity, body, attributes: {} };
}

/**
 * One healthy minute of a checkout service: about 20 requests, 5 cache reports, now and then a
 * slow query warning and a declined payment (an error it always has a few of).
 */
function healthyMinute(minute: number, r: () => number, source = CHECKOUT): LogRecord[] {
  const out: LogRecord[] = [];
  const requests = 15 + Math.floor(r() * 10);
  for (let i = 0; i < requests; i++) {
    out.push(
      line(
        minute,
        `GET /api/cart/${1000 + Math.floor(r() * 9000)} 200 in ${5 + Math.floor(r() * 40)}ms`,
        'info',
        source,
        i / requests,
      ),
    );
  }
  for (let i = 0; i < 5; i++)
    out.push(line(minute, `cache hit ratio ${(0.8 + r() * 0.2).toFixed(3)}`, 'debug', source, 0.1 + i / 6));
  if (r() < 0.2) out.push(line(minute, `slow query took ${200 + Math.floor(r() * 800)}ms`, 'warn', source));
  if (r() < 0.3)
    out.push(line(minute, `payment ${Math.floor(r() * 1e6)} declined: card expired`, 'error', source));
  return out;
}

/** Feeds minutes [from, to) to the detector, one batch per minute, ticking after each. */
function run(
  d: LogTemplateDetector,
  from: number,
  to: number,
  minute: (m: number) => LogRecord[],
): Anomaly[] {
  const out: Anomaly[] = [];
  for (let m = from; m < to; m++) {
    out.push(...d.observe({ ...emptyBatch(), logs: minute(m) }));
    out.push(...d.tick(T0 + (m + 1) * MIN + 30_000));
  }
  return out;
}

/** Three hours of healthy traffic, then `extra` lines in given minutes. */
function scenario(
  extra: (m: number) => LogRecord[],
  minutes = 180,
): { d: LogTemplateDetector; found: Anomaly[] } {
  const r = seededRandom(42);
  const d = new LogTemplateDetector();
  const found = run(d, 0, minutes, (m) => [...healthyMinute(m, r), ...extra(m)]);
  return { d, found };
}

describe('LogTemplateDetector', () => {
  it('raises nothing over three healthy hours', () => {
    const { d, found } = scenario(() => []);
    expect(found).toEqual([]);
    expect(d.workloadCount).toBe(1);
  });

  it('says nothing about new messages while it is still learning the workload', () => {
    const { found } = scenario((m) => (m === 10 ? [line(m, 'connected to db-0.db:5432 as app')] : []));
    expect(found).toEqual([]);
  });

  it('reports a new message after the learning period, with the template and example lines', () => {
    const refused = (m: number) =>
      m >= 120 && m < 122
        ? [line(m, 'ERROR db connection refused to 10.0.0.5:5432', 'error', CHECKOUT, 0.7)]
        : [];
    const { found } = scenario(refused);
    const ids = new Set(found.map((a) => a.id));
    expect(ids.size).toBe(1);
    const first = found[0]!;
    expect(first).toMatchObject({
      detector: 'log-templates',
      resource: { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
      onsetMs: T0 + 120.7 * MIN,
      score: 0.8,
    });
    expect(first.signal.kind === 'log' && first.signal.ids.length).toBe(1);
    expect(first.title).toContain('ERROR db connection refused to <*>');
    expect(first.explanation).toContain('ERROR db connection refused to 10.0.0.5:5432');
    const last = found[found.length - 1]!;
    expect(last.endMs).toBe(T0 + 125 * MIN);
    expect(last.signal.kind === 'log' && last.signal.ids.length).toBe(2);
  });

  it('reports different stack traces under one error line as one new message', () => {
    const traces = (m: number) =>
      m === 130
        ? [1, 2, 3, 4].map((n) =>
            line(
              m,
              `ERROR order ${n} failed: java.lang.NullPointerException\n\tat shop.Order.total(Order.java:${n * 7})\n\tat shop.Api.post(Api.java:${n})`,
              'error',
              CHECKOUT,
              n / 5,
            ),
          )
        : [];
    const { found } = scenario(traces);
    expect(new Set(found.map((a) => a.id)).size).toBe(1);
    expect(found[0]!.title).toBe(
      'New log message from Deployment shop/checkout: ERROR order <*> failed: java.lang.NullPointerException',
    );
    expect(found.at(-1)?.explanation).toContain('\tat shop.Order.total(Order.java:7)');
  });

  it('reports a message far above its usual rate, and ends it when the rate is back', () => {
    const storm = (m: number) =>
      m === 150
        ? Array.from({ length: 60 }, (_, i) =>
            line(m, `cache hit ratio 0.${100 + i}`, 'debug', CHECKOUT, i / 60),
          )
        : [];
    const { found } = scenario(storm);
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(new Set(found.map((a) => a.id)).size).toBe(1);
    expect(found[0]!.title).toMatch(
      /^Log message 25 times per minute from Deployment shop\/checkout: cache hit ratio <\*>/,
    );
    expect(found[0]!.explanation).toContain('usually 5');
    const ended = found.find((a) => a.endMs !== undefined);
    expect(ended?.endMs).toBe(T0 + 154 * MIN);
    expect(found.at(-1)?.explanation).toContain('65 times per minute');
  });

  it('reports a burst of error lines and names the loudest message', () => {
    const errors = (m: number) =>
      m === 140
        ? Array.from({ length: 30 }, (_, i) =>
            i % 3 === 0
              ? line(m, `payment ${i} declined: card expired`, 'error', CHECKOUT, i / 30)
              : line(m, `checkout ${i} failed: upstream timeout after 5000ms`, 'error', CHECKOUT, i / 30),
          )
        : [];
    const { found } = scenario(errors);
    const burst = found.filter((a) => a.title.includes('error lines'));
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst[0]!.score).toBeGreaterThanOrEqual(0.5);
    expect(burst.at(-1)?.explanation).toMatch(
      /Most frequent: "checkout <\*> failed: upstream timeout after <\*>" \(template tpl_[0-9a-f]+\) 20/,
    );
    expect(burst.some((a) => a.endMs !== undefined)).toBe(true);
  });

  it('reports a chatty workload gone silent, and ends it when lines come back', () => {
    const r = seededRandom(42);
    const d = new LogTemplateDetector();
    expect(run(d, 0, 130, (m) => healthyMinute(m, r))).toEqual([]);
    const silent = run(d, 130, 140, () => []);
    expect(silent).toHaveLength(1);
    expect(silent[0]?.title).toBe('Deployment shop/checkout stopped logging');
    // It went silent at its last line, in minute 129.
    expect(silent[0]?.onsetMs).toBeGreaterThan(T0 + 129 * MIN);
    expect(silent[0]?.onsetMs).toBeLessThan(T0 + 130 * MIN);
    expect(silent[0]?.explanation).toMatch(
      /usually logs about 2\d lines per window and has logged nothing for \d+ minutes/,
    );
    const back = d.observe({ ...emptyBatch(), logs: healthyMinute(140, r) });
    expect(back).toEqual([{ ...silent[0], endMs: T0 + 140 * MIN }]);
  });

  it('judges novelty per workload: a message new to one workload is news even if another logs it', () => {
    const r = seededRandom(7);
    const d = new LogTemplateDetector();
    const both = (m: number) => [...healthyMinute(m, r), ...healthyMinute(m, r, CART).slice(0, 8)];
    expect(run(d, 0, 90, both)).toEqual([]);
    const found = run(d, 90, 91, (m) => [...both(m), line(m, 'cache hit ratio 0.5', 'debug', CART)]);
    expect(found).toHaveLength(1);
    expect(found[0]!.resource).toMatchObject({ kind: 'Deployment', name: 'cart' });
  });

  it('gives an episode the same anomaly id in a detector that sees the same signals', () => {
    const refused = (m: number) => (m === 120 ? [line(m, 'ERROR db connection refused', 'error')] : []);
    nextId = 0;
    const a = scenario(refused).found.map((x) => x.id);
    nextId = 0;
    const b = scenario(refused).found.map((x) => x.id);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('counts what it cannot track instead of throwing', () => {
    const d = new LogTemplateDetector({ maxWorkloads: 1 });
    d.observe({ ...emptyBatch(), logs: [line(0, 'a started'), line(0, 'b started', 'info', CART)] });
    expect(d.workloadCount).toBe(1);
    expect(d.skipped.workloadLimit).toBe(1);
  });
});
