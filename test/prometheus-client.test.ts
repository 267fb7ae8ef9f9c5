/**
 * The PromQL client against a real Prometheus (Debian's 2.42) scraping a cAdvisor-like target:
 * instant, range and series answers equal what the target exposed; limits cut and say so; bad
 * PromQL comes back as a PrometheusError with Prometheus's own message; an unreachable or silent
 * endpoint is a PrometheusUnreachableError or PrometheusTimeoutError, never a raw fetch error.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PrometheusClient,
  PrometheusError,
  PrometheusTimeoutError,
  PrometheusUnreachableError,
  type PrometheusSettings,
} from '@sleuth/analyze';
import { startScrapedTarget, until } from './support/cadvisor-target';
import { freePort } from './support/prom-servers';

const MiB = 2 ** 20;
let env: Awaited<ReturnType<typeof startScrapedTarget>>;
let client: PrometheusClient;
const settings = (over: Partial<PrometheusSettings> = {}): PrometheusSettings => ({
  url: env.prometheus.url,
  timeoutMs: 5000,
  maxSeries: 100,
  maxPoints: 10_000,
  ...over,
});

beforeAll(async () => {
  env = await startScrapedTarget([
    { namespace: 'shop', pod: 'cart-1', container: 'cart', memory: { start: 100 * MiB, perScrape: MiB } },
    { namespace: 'shop', pod: 'cart-2', container: 'cart', memory: { start: 200 * MiB, perScrape: 0 } },
  ]);
  client = new PrometheusClient(settings());
  await until('three scrapes in Prometheus', async () => {
    const r = await client.query('container_memory_working_set_bytes{pod="cart-1"}[1m]');
    return (r.series[0]?.points.length ?? 0) >= 3;
  });
}, 40_000);

afterAll(async () => {
  await env?.stop();
});

describe('PrometheusClient against a real Prometheus', () => {
  it('answers an instant query with the exposed value and labels', async () => {
    const r = await client.query('container_memory_working_set_bytes{pod="cart-2"}', { timeMs: Date.now() });
    expect(r.resultType).toBe('vector');
    expect(r.series).toEqual([
      {
        labels: {
          __name__: 'container_memory_working_set_bytes',
          namespace: 'shop',
          pod: 'cart-2',
          container: 'cart',
          instance: env.target.address,
          job: 'kubelet',
        },
        points: [[expect.any(Number) as unknown, 200 * MiB]],
      },
    ]);
    expect(r).toMatchObject({ truncated: false, notes: [], warnings: [] });
  });

  it('returns the raw samples of a range selector: the values the target served, in order', async () => {
    const r = await client.query('container_memory_working_set_bytes{pod="cart-1"}[1m]');
    expect(r.resultType).toBe('matrix');
    const values = r.series[0]?.points.map(([, v]) => v) ?? [];
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(values).toEqual(env.target.served.get('shop/cart-1/cart')?.slice(0, values.length));
    const times = r.series[0]?.points.map(([t]) => t) ?? [];
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('evaluates a range query at its step over values the target served', async () => {
    const endMs = Date.now();
    const r = await client.queryRange('container_memory_working_set_bytes{pod="cart-1"}', {
      startMs: endMs - 10_000,
      endMs,
      stepMs: 1000,
    });
    expect(r).toMatchObject({ resultType: 'matrix', stepMs: 1000, truncated: false });
    const points = r.series[0]?.points ?? [];
    expect(points.length).toBeGreaterThanOrEqual(3);
    expect(points.length).toBeLessThanOrEqual(11);
    const served = new Set(env.target.served.get('shop/cart-1/cart'));
    for (const [t, v] of points) {
      expect(served.has(v)).toBe(true);
      expect((t - (endMs - 10_000)) % 1000).toBe(0);
    }
  });

  it('looks up series by matcher', async () => {
    const r = await client.series(['container_memory_working_set_bytes{namespace="shop"}'], {
      startMs: Date.now() - 60_000,
      endMs: Date.now(),
    });
    expect(r.series.map((s) => s['pod']).sort()).toEqual(['cart-1', 'cart-2']);
    expect(r.truncated).toBe(false);
  });

  it('keeps to maxSeries and maxPoints and says what it left out', async () => {
    const small = new PrometheusClient(settings({ maxSeries: 1, maxPoints: 100 }));
    const r = await small.query('container_memory_working_set_bytes');
    expect(r.series).toHaveLength(1);
    expect(r.truncated).toBe(true);
    expect(r.notes).toEqual(['1 of 2 series kept (prometheus.maxSeries)']);
    const endMs = Date.now();
    const range = await small.queryRange('container_memory_working_set_bytes{pod="cart-1"}', {
      startMs: endMs - 3_600_000,
      endMs,
      stepMs: 1000,
    });
    expect(range.stepMs).toBe(37_000);
    expect(range.notes[0]).toContain('step raised from 1 s to 37 s');
  });

  it("turns bad PromQL into a PrometheusError carrying Prometheus's message", async () => {
    const err = await client.query('sum(rate(container_cpu_cfs_periods_total[1m])').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err).toMatchObject({ errorType: 'bad_data', httpStatus: 400, code: 'prometheus_error' });
    expect((err as PrometheusError).message).toMatch(
      /^Prometheus rejected the query \(bad_data\): .*parse error/,
    );
  });

  it('reports an endpoint nobody listens on as unreachable', async () => {
    const port = await freePort();
    const down = new PrometheusClient(settings({ url: `http://127.0.0.1:${port}` }));
    const err = await down.query('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusUnreachableError);
    expect(String(err)).toContain('ECONNREFUSED');
    expect(String(err)).toContain('check prometheus.url');
  });

  it('gives up on a silent endpoint after the timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const a = silent.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    try {
      const slow = new PrometheusClient(settings({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }));
      const started = Date.now();
      const err = await slow.query('up').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrometheusTimeoutError);
      expect(err).toMatchObject({ code: 'prometheus_timeout', retryable: true, timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
