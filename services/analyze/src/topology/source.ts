import type { ObjectSnapshot } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import { buildTopology } from './build';
import type { TopologyGraph } from './graph';

/** The kinds the graph is built from. */
export const TOPOLOGY_KINDS = [
  'Node',
  'Namespace',
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Service',
  'EndpointSlice',
  'Ingress',
  'HorizontalPodAutoscaler',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'ConfigMap',
  'Secret',
] as const;

/** Most objects one store call returns (ObjectQuery's limit). */
const PAGE = 5000;

export interface TopologySourceOptions {
  /** A graph is rebuilt when older than this. */
  maxAgeMs: number;
  /** Service calls are taken from traces of this long ago until now. */
  callsWindowMs: number;
}

/**
 * Builds clusters' graphs from the store on demand and keeps each for `maxAgeMs`, so a burst of
 * API calls (a UI page, an investigation) builds once. Objects are read per kind; a kind with more
 * objects than one read returns is read again namespace by namespace.
 */
export class TopologySource {
  private readonly cache = new Map<string, Promise<TopologyGraph>>();

  constructor(
    private readonly store: Store,
    private readonly opts: TopologySourceOptions = { maxAgeMs: 5_000, callsWindowMs: 3_600_000 },
  ) {}

  async graph(cluster: string, nowMs = Date.now()): Promise<TopologyGraph> {
    const cached = this.cache.get(cluster);
    if (cached) {
      const g = await cached.catch(() => undefined);
      if (g && nowMs - g.builtMs < this.opts.maxAgeMs) return g;
      if (this.cache.get(cluster) !== cached) return this.graph(cluster, nowMs);
    }
    const building = this.build(cluster, nowMs);
    this.cache.set(cluster, building);
    building.catch(() => this.cache.delete(cluster));
    return building;
  }

  private async build(cluster: string, nowMs: number): Promise<TopologyGraph> {
    const objects: ObjectSnapshot[] = [];
    let namespaces: string[] | undefined;
    for (const kind of TOPOLOGY_KINDS) {
      const first = await this.store.listObjects({ cluster, kind, limit: PAGE });
      if (first.length < PAGE) {
        objects.push(...first);
        continue;
      }
      namespaces ??= (await this.store.listObjects({ cluster, kind: 'Namespace', limit: PAGE })).map(
        (n) => n.ref.name,
      );
      for (const namespace of namespaces) {
        objects.push(...(await this.store.listObjects({ cluster, kind, namespace, limit: PAGE })));
      }
    }
    const calls = await this.store.serviceCalls({
      cluster,
      fromMs: nowMs - this.opts.callsWindowMs,
      toMs: nowMs + 60_000,
    });
    return buildTopology(cluster, objects, calls, nowMs);
  }
}
