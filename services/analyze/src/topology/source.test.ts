import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyBatch, type ObjectSnapshot } from '@sleuth/core';
import { SqliteStore } from '@sleuth/store';
import { TopologySource } from './source';

const C = 'prod-eu';
const T0 = 1_900_000_000_000;

const pod = (namespace: string, name: string, cluster = C): ObjectSnapshot => ({
  ref: { cluster, namespace, kind: 'Pod', name },
  apiVersion: 'v1',
  timeMs: T0,
  deleted: false,
  object: {
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'web' } },
    spec: { nodeName: 'node-a' },
  },
});
const service = (namespace: string): ObjectSnapshot => ({
  ref: { cluster: C, namespace, kind: 'Service', name: 'web' },
  apiVersion: 'v1',
  timeMs: T0,
  deleted: false,
  object: { kind: 'Service', metadata: { name: 'web', namespace }, spec: { selector: { app: 'web' } } },
});

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-topology-'));
  store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
});
afterEach(async () => {
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

const write = (objects: ObjectSnapshot[]) => store.writeBatch({ ...emptyBatch(), objects });
const pods = (g: { allNodes(): { ref: { kind: string; name: string; namespace?: string } }[] }) =>
  g
    .allNodes()
    .filter((n) => n.ref.kind === 'Pod')
    .map((n) => `${n.ref.namespace}/${n.ref.name}`)
    .sort();

describe('TopologySource', () => {
  it('reads every object of a kind with more than one page, with no Namespace objects collected', async () => {
    // Seven pods in two namespaces, pages of two: no page boundary may lose or repeat a pod.
    const all = ['a', 'b', 'c', 'd'].map((n) => pod('shop', `web-${n}`));
    all.push(...['a', 'b', 'c'].map((n) => pod('blog', `web-${n}`)));
    await write([...all, service('shop'), service('blog'), pod('shop', 'elsewhere', 'prod-us')]);
    const list = vi.spyOn(store, 'listObjects');
    const g = await new TopologySource(store, { pageSize: 2 }).graph(C, T0);
    expect(pods(g)).toEqual(all.map((o) => `${o.ref.namespace}/${o.ref.name}`).sort());
    expect(list.mock.calls.filter(([q]) => q.kind === 'Pod')).toHaveLength(4);
    // Each Service selects the pods of its own namespace only.
    const selects = g.allEdges().filter((e) => e.kind === 'selects');
    expect(selects).toHaveLength(7);
    expect(selects.every((e) => e.from.split('/')[1] === e.to.split('/')[1])).toBe(true);
  });

  it('answers from one build for maxAgeMs, then shows what changed in the store', async () => {
    await write([pod('shop', 'web-a')]);
    const source = new TopologySource(store, { maxAgeMs: 5_000 });
    const list = vi.spyOn(store, 'listObjects');
    const first = await source.graph(C, T0);
    const reads = list.mock.calls.length;
    await write([pod('shop', 'web-b')]);
    const [again, concurrent] = await Promise.all([source.graph(C, T0 + 4_000), source.graph(C, T0 + 4_000)]);
    expect(again).toBe(first);
    expect(concurrent).toBe(first);
    expect(list.mock.calls.length).toBe(reads);
    expect(pods(again)).toEqual(['shop/web-a']);
    const later = await source.graph(C, T0 + 5_000);
    expect(pods(later)).toEqual(['shop/web-a', 'shop/web-b']);
  });

  it('keeps at most maxClusters graphs, dropping the one asked for least recently', async () => {
    await write([pod('shop', 'web-a'), pod('shop', 'web-a', 'prod-us')]);
    const source = new TopologySource(store, { maxClusters: 2 });
    const list = vi.spyOn(store, 'listObjects');
    const builds = () => list.mock.calls.filter(([q]) => q.kind === 'Node').length;
    await source.graph(C, T0);
    await source.graph('prod-us', T0);
    await source.graph(C, T0);
    await source.graph('no-such-cluster', T0); // drops prod-us, asked for least recently
    expect(builds()).toBe(3);
    await source.graph(C, T0);
    expect(builds()).toBe(3);
    await source.graph('prod-us', T0);
    expect(builds()).toBe(4);
  });

  it('rebuilds objects at every build but reads the costly service calls again only once a minute', async () => {
    await write([pod('shop', 'web-a'), service('shop')]);
    const calls = vi.spyOn(store, 'serviceCalls');
    const objects = vi.spyOn(store, 'listObjects');
    const source = new TopologySource(store, { maxAgeMs: 5_000, callsWindowMs: 3_600_000 });
    await source.graph(C, T0);
    await source.graph(C, T0 + 10_000);
    expect(objects.mock.calls.length).toBeGreaterThan(0);
    const perBuild = objects.mock.calls.length / 2;
    expect(objects.mock.calls.length).toBe(2 * perBuild);
    expect(calls).toHaveBeenCalledTimes(1);
    await source.graph(C, T0 + 61_000);
    expect(calls).toHaveBeenCalledTimes(2);
    // Asked about an earlier time (a replay), the calls are read for that time.
    await source.graph(C, T0 - 3_600_000);
    expect(calls).toHaveBeenCalledTimes(3);
  });
});
