import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@sleuth/store';
import { StoreContext } from '../analyzers/store-context';
import { TopologySource } from '../topology/source';
import { fakePrometheus } from '../llm/tools/testing-prometheus';
import { PrometheusTimeoutError } from './errors';
import { podSeriesSelector } from './pod-series';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const MIN = 60_000;
const query = {
  name: 'container_memory_working_set_bytes',
  cluster: 'prod',
  namespace: 'shop',
  pod: 'cart-7d9f8-abc12',
  fromMs: NOW - 5 * MIN,
  toMs: NOW + 1,
};

describe('podSeriesSelector', () => {
  it("selects one pod's containers of a cAdvisor metric, by cluster label unless the Prometheus watches one cluster", () => {
    expect(podSeriesSelector(query, 'prod')).toBe(
      'container_memory_working_set_bytes{namespace="shop",pod="cart-7d9f8-abc12",container!="",container!="POD"}',
    );
    expect(podSeriesSelector(query, undefined)).toBe(
      'container_memory_working_set_bytes{cluster="prod",namespace="shop",pod="cart-7d9f8-abc12",container!="",container!="POD"}',
    );
  });

  it('serves nothing else: other metrics, other clusters, no pod', () => {
    expect(podSeriesSelector({ ...query, name: 'http_server_requests_total' }, 'prod')).toBeUndefined();
    expect(podSeriesSelector({ ...query, name: 'container_memory{x="1"}' }, 'prod')).toBeUndefined();
    expect(podSeriesSelector(query, 'us')).toBeUndefined();
    expect(podSeriesSelector({ ...query, pod: undefined }, 'prod')).toBeUndefined();
  });
});

describe('StoreContext with a Prometheus', () => {
  let dir: string;
  let store: SqliteStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sleuth-pod-series-'));
    store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
    await store.start();
    await store.writeBatch({
      logs: [],
      spans: [],
      events: [],
      objects: [],
      metrics: [1, 2, 3].map((m) => ({
        name: 'container_memory_working_set_bytes',
        labels: { container: 'cart' },
        source: { cluster: 'prod', namespace: 'shop', pod: 'stored-1', container: 'cart' },
        type: 'gauge' as const,
        timeMs: NOW - m * MIN,
        value: m * 2 ** 20,
      })),
    });
  });
  afterAll(async () => {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the store first and asks Prometheus only for what it lacks, marking Prometheus's series", async () => {
    const prometheus = fakePrometheus(undefined, { cluster: 'prod' });
    const ctx = new StoreContext(store, new TopologySource(store), NOW, { prometheus });
    const stored = await ctx.series({ ...query, pod: 'stored-1' });
    expect(stored.map((s) => s.source)).toEqual([undefined]);
    expect(prometheus.queries).toEqual([]);

    const [pulled] = await ctx.series(query);
    expect(prometheus.queries).toEqual([
      'container_memory_working_set_bytes{namespace="shop",pod="cart-7d9f8-abc12",container!="",container!="POD"}[300001ms]',
    ]);
    expect(pulled).toMatchObject({ name: 'container_memory_working_set_bytes', source: 'prometheus' });
    expect(pulled?.labels).not.toHaveProperty('__name__');
    expect(pulled?.points.every(([t]) => t >= query.fromMs && t < query.toMs)).toBe(true);
  });

  it('stops asking a Prometheus that failed, for the rest of the run', async () => {
    const fail = new PrometheusTimeoutError('Prometheus did not answer within 15 s', 15_000);
    const prometheus = fakePrometheus(undefined, { cluster: 'prod', fail });
    const errors: unknown[] = [];
    const ctx = new StoreContext(store, new TopologySource(store), NOW, {
      prometheus,
      onPrometheusError: (e) => errors.push(e),
    });
    expect(await ctx.series(query)).toEqual([]);
    expect(await ctx.series({ ...query, name: 'container_cpu_cfs_periods_total' })).toEqual([]);
    expect(prometheus.queries).toHaveLength(1);
    expect(errors).toEqual([fail]);
  });
});
