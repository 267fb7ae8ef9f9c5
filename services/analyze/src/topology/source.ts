import { refKey, StoreError, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import type { ServiceCall, Store } from '@sleuth/store';
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
const MAX_PAGE = 5000;

export interface TopologySourceOptions {
  /** A graph is rebuilt when older than this. */
  maxAgeMs: number;
  /** Service calls are taken from traces of this long ago until now. */
  callsWindowMs: number;
  /**
   * The service calls of a cluster are read again when older than this: they come from every
   * span of the window (the costly part of a build) and change slowly, while objects are read at
   * every build.
   */
  callsMaxAgeMs?: number;
  /** Objects per store read (at most 5,000); a kind with more is read page by page. */
  pageSize?: number;
  /** Graphs kept at most; the least recently asked for is dropped first. */
  maxClusters?: number;
}

const DEFAULTS: Required<TopologySourceOptions> = {
  maxAgeMs: 5_000,
  callsWindowMs: 3_600_000,
  callsMaxAgeMs: 60_000,
  pageSize: MAX_PAGE,
  maxClusters: 32,
};

/**
 * Builds clusters' graphs from the store on demand and keeps each for `maxAgeMs`, so a burst of
 * API calls (a UI page, an investigation) builds once. Objects are read per kind, page by page
 * (the store's keyset cursor), so a cluster of any size is read whole. At most `maxClusters`
 * graphs are kept: cluster names come from requests, and an unknown one must not pin memory.
 */
export class TopologySource {
  private readonly cache = new Map<string, Promise<TopologyGraph>>();
  private readonly calls = new Map<string, { atMs: number; calls: ServiceCall[] }>();
  private readonly opts: Required<TopologySourceOptions>;

  constructor(
    private readonly store: Store,
    opts: Partial<TopologySourceOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.opts.pageSize = Math.min(Math.max(1, Math.floor(this.opts.pageSize)), MAX_PAGE);
  }

  async graph(cluster: string, nowMs = Date.now()): Promise<TopologyGraph> {
    const cached = this.cache.get(cluster);
    if (cached) {
      const g = await cached.catch(() => undefined);
      if (g && nowMs >= g.builtMs && nowMs - g.builtMs < this.opts.maxAgeMs) {
        // Most recently asked for last, so the oldest entry is the first to go.
        if (this.cache.get(cluster) === cached) {
          this.cache.delete(cluster);
          this.cache.set(cluster, cached);
        }
        return g;
      }
      if (this.cache.get(cluster) !== cached) return this.graph(cluster, nowMs);
    }
    const building = this.build(cluster, nowMs);
    this.cache.delete(cluster);
    this.cache.set(cluster, building);
    for (const old of this.cache.keys()) {
      if (this.cache.size <= this.opts.maxClusters) break;
      this.cache.delete(old);
    }
    building.catch(() => {
      if (this.cache.get(cluster) === building) this.cache.delete(cluster);
    });
    return building;
  }

  private async build(cluster: string, nowMs: number): Promise<TopologyGraph> {
    const objects: ObjectSnapshot[] = [];
    const limit = this.opts.pageSize;
    for (const kind of TOPOLOGY_KINDS) {
      let after: ResourceRef | undefined;
      for (;;) {
        const page = await this.store.listObjects({ cluster, kind, limit, ...(after ? { after } : {}) });
        const last = page[page.length - 1]?.ref;
        if (after && last && refKey(last) === refKey(after)) {
          throw new StoreError(`listObjects did not move past ${refKey(after)}: the store ignores 'after'`, {
            retryable: false,
          });
        }
        objects.push(...page);
        after = last;
        if (page.length < limit || !after) break;
      }
    }
    return buildTopology(cluster, objects, await this.serviceCalls(cluster, nowMs), nowMs);
  }

  private async serviceCalls(cluster: string, nowMs: number): Promise<ServiceCall[]> {
    const cached = this.calls.get(cluster);
    // Fresh enough, and not from a later time (a replay asking about the past reads again).
    if (cached && nowMs >= cached.atMs && nowMs - cached.atMs < this.opts.callsMaxAgeMs) return cached.calls;
    const calls = await this.store.serviceCalls({
      cluster,
      fromMs: nowMs - this.opts.callsWindowMs,
      toMs: nowMs + 60_000,
    });
    this.calls.delete(cluster);
    this.calls.set(cluster, { atMs: nowMs, calls });
    for (const old of this.calls.keys()) {
      if (this.calls.size <= this.opts.maxClusters) break;
      this.calls.delete(old);
    }
    return calls;
  }
}
