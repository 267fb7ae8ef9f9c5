/**
 * The analyzers' Prometheus fallback against a real Prometheus: a store that holds the pods but
 * none of their cAdvisor series, a StoreContext given the PromQL client, and the pod and
 * cpu-throttling analyzers finding a container near its memory limit and one starved of CPU from
 * what Prometheus scraped, their evidence saying so. Without the client, or with a Prometheus that
 * is down, the same analysis finds nothing and does not fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectSnapshot, ResourceRef } from '@sleuth/core';
import {
  ANALYZERS,
  PrometheusClient,
  StoreContext,
  TopologySource,
  type PrometheusFailure,
  type PrometheusSettings,
} from '@sleuth/analyze';
import { SqliteStore } from '@sleuth/store';
import { startScrapedTarget, until } from './support/cadvisor-target';
import { freePort } from './support/prom-servers';
import { getJson, startTestServer } from './support/server';

const MiB = 2 ** 20;
const CLUSTER = 'eu';
const ref = (kind: string, name: string): ResourceRef => ({
  cluster: CLUSTER,
  namespace: 'shop',
  kind,
  name,
});
const CART_POD = ref('Pod', 'cart-1');
const CHECKOUT = ref('Deployment', 'checkout');

function snap(r: ResourceRef, object: Record<string, unknown>): ObjectSnapshot {
  const { metadata, ...rest } = object;
  return {
    ref: r,
    apiVersion: r.kind === 'Pod' ? 'v1' : 'apps/v1',
    timeMs: Date.now(),
    deleted: false,
    object: { kind: r.kind, ...rest, metadata: { name: r.name, namespace: 'shop', ...(metadata ?? {}) } },
  };
}
const running = (name: string) => ({
  containerStatuses: [{ name, ready: true, restartCount: 0, state: { running: {} } }],
});
const owned = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, controller: true }] });
const checkoutSpec = { containers: [{ name: 'api', resources: { limits: { cpu: '400m' } } }] };

let env: Awaited<ReturnType<typeof startScrapedTarget>>;
let dir: string;
let store: SqliteStore;
let topology: TopologySource;
const settings = (over: Partial<PrometheusSettings> = {}): PrometheusSettings => ({
  url: env.prometheus.url,
  cluster: CLUSTER,
  timeoutMs: 5000,
  maxSeries: 100,
  maxPoints: 10_000,
  ...over,
});
const analyze = (r: ResourceRef, ctx: StoreContext) =>
  r.kind === 'Pod' ? ANALYZERS.pod.analyze(r, ctx) : ANALYZERS['cpu-throttling'].analyze(r, ctx);

beforeAll(async () => {
  env = await startScrapedTarget([
    // 110 MiB of a 128 MiB limit, 1 MiB more every scrape: a kill within seconds.
    { namespace: 'shop', pod: 'cart-1', container: 'cart', memory: { start: 110 * MiB, perScrape: MiB } },
    {
      namespace: 'shop',
      pod: 'checkout-a-1',
      container: 'api',
      memory: { start: 50 * MiB, perScrape: 0 },
      cfs: { periods: 100, throttled: 60 },
    },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'sleuth-prom-fallback-'));
  store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
  await store.writeBatch({
    logs: [],
    metrics: [],
    spans: [],
    events: [],
    objects: [
      snap(CART_POD, {
        spec: { containers: [{ name: 'cart', resources: { limits: { memory: '128Mi' } } }] },
        status: running('cart'),
      }),
      snap(CHECKOUT, { spec: { template: { spec: checkoutSpec } } }),
      snap(ref('ReplicaSet', 'checkout-a'), {
        metadata: {
          ...owned('Deployment', 'checkout'),
          annotations: { 'deployment.kubernetes.io/revision': '1' },
        },
        spec: { template: { spec: checkoutSpec } },
      }),
      snap(ref('Pod', 'checkout-a-1'), {
        metadata: owned('ReplicaSet', 'checkout-a'),
        spec: checkoutSpec,
        status: running('api'),
      }),
    ],
  });
  topology = new TopologySource(store);
  const client = new PrometheusClient(settings());
  await until('eight scrapes in Prometheus', async () => {
    const r = await client.query('container_memory_working_set_bytes{pod="cart-1"}[1m]');
    return (r.series[0]?.points.length ?? 0) >= 8;
  });
}, 40_000);

afterAll(async () => {
  await store?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await env?.stop();
});

describe('StoreContext falling back to Prometheus', () => {
  it('lets the pod analyzer see a working set climbing to its limit, and cites Prometheus', async () => {
    const ctx = new StoreContext(store, topology, Date.now(), {
      prometheus: new PrometheusClient(settings()),
    });
    const findings = await analyze(CART_POD, ctx);
    const near = findings.find((f) => f.failureMode === 'memory-near-limit');
    expect(near?.title).toContain('memory limit and climbing');
    const series = near?.evidence.find((e) => e.signal.kind === 'series');
    expect(series?.summary).toContain('(from Prometheus)');
    expect(series?.signal).toMatchObject({
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: {
        namespace: 'shop',
        pod: 'cart-1',
        container: 'cart',
        instance: env.target.address,
        job: 'kubelet',
      },
    });
    // The store alone holds no series: the same analysis without Prometheus finds nothing.
    const alone = await analyze(CART_POD, new StoreContext(store, topology, Date.now()));
    expect(alone.map((f) => f.failureMode)).not.toContain('memory-near-limit');
  });

  it("lets the cpu-throttling analyzer measure a workload's throttled periods", async () => {
    const ctx = new StoreContext(store, topology, Date.now(), {
      prometheus: new PrometheusClient(settings()),
    });
    const [f] = await analyze(CHECKOUT, ctx);
    expect(f?.failureMode).toBe('cpu-throttling');
    expect(f?.title).toContain('60% of periods at a 400m limit');
    const series = f?.evidence.find((e) => e.signal.kind === 'series');
    expect(series?.summary).toContain('(from Prometheus)');
    expect(series?.signal).toMatchObject({
      name: 'container_cpu_cfs_throttled_periods_total',
      labels: { namespace: 'shop', pod: 'checkout-a-1', container: 'api' },
    });
  });

  it('asks only about the cluster the Prometheus watches', async () => {
    const elsewhere = new PrometheusClient(settings({ cluster: 'us' }));
    const ctx = new StoreContext(store, topology, Date.now(), { prometheus: elsewhere });
    expect(await analyze(CHECKOUT, ctx)).toEqual([]);
  });

  it('goes on without a Prometheus that is down, reporting it once', async () => {
    const down = new PrometheusClient(settings({ url: `http://127.0.0.1:${await freePort()}` }));
    const errors: PrometheusFailure[] = [];
    const ctx = new StoreContext(store, topology, Date.now(), {
      prometheus: down,
      onPrometheusError: (err) => errors.push(err),
    });
    expect(await analyze(CHECKOUT, ctx)).toEqual([]);
    const pod = await analyze(CART_POD, ctx);
    expect(pod.map((f) => f.failureMode)).not.toContain('memory-near-limit');
    expect(errors.map((e) => e.code)).toEqual(['prometheus_unreachable']);
  });
});

describe('the server with prometheus.url set', () => {
  it('diagnoses a resource through GET /api/v1/diagnosis with the series Prometheus holds', async () => {
    const server = await startTestServer({
      'detect.enabled': false,
      'prometheus.url': env.prometheus.url,
      'prometheus.cluster': CLUSTER,
    });
    try {
      const objects = await store.listObjects({ cluster: CLUSTER });
      await server.store.writeBatch({ logs: [], metrics: [], spans: [], events: [], objects });
      const d = await getJson<{ rootCauses: { failureMode: string; evidence: { summary: string }[] }[] }>(
        server.url,
        '/api/v1/diagnosis?resource=shop/Pod/cart-1&cluster=eu',
      );
      const near = d.rootCauses.find((c) => c.failureMode === 'memory-near-limit');
      expect(near?.evidence.some((e) => e.summary.includes('(from Prometheus)'))).toBe(true);
    } finally {
      await server.dispose();
    }
  });
});
