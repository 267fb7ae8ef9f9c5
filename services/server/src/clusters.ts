import type { SignalBatch } from '@sleuth/core';
import type { CollectorStatus } from '@sleuth/kubernetes';

/** What Sleuth knows of one cluster: when it last heard from it and, if it watches it, how. */
export interface ClusterInfo {
  name: string;
  /** When the last record of this cluster was accepted, epoch ms. */
  lastSeenMs: number | undefined;
  /** Records accepted for this cluster since Sleuth started. */
  records: number;
  /** The in-process collector's status, when this server watches the cluster itself. */
  collector?: CollectorStatus;
}

/**
 * Every cluster this server has heard from since it started (through any receiver: collectors,
 * agents, OpenTelemetry Collectors, the simulated fleet), with the status of the collectors it runs.
 */
export class ClusterRegistry {
  private readonly seen = new Map<string, { lastSeenMs: number; records: number }>();
  private readonly collectors = new Map<string, () => CollectorStatus>();

  /** Notes an accepted batch. */
  accepted(batch: SignalBatch, nowMs = Date.now()): void {
    const counts = new Map<string, number>();
    const add = (cluster: string): void => {
      counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
    };
    for (const r of batch.logs) add(r.source.cluster);
    for (const r of batch.metrics) add(r.source.cluster);
    for (const r of batch.spans) add(r.source.cluster);
    for (const r of batch.events) add(r.cluster);
    for (const r of batch.objects) add(r.ref.cluster);
    for (const [cluster, n] of counts) {
      const s = this.seen.get(cluster);
      if (s) {
        s.lastSeenMs = nowMs;
        s.records += n;
      } else this.seen.set(cluster, { lastSeenMs: nowMs, records: n });
    }
  }

  /** Registers the in-process collector of a cluster. */
  attach(cluster: string, status: () => CollectorStatus): void {
    this.collectors.set(cluster, status);
  }

  list(): ClusterInfo[] {
    const names = new Set([...this.seen.keys(), ...this.collectors.keys()]);
    return [...names].sort().map((name) => {
      const s = this.seen.get(name);
      const info: ClusterInfo = { name, lastSeenMs: s?.lastSeenMs, records: s?.records ?? 0 };
      const collector = this.collectors.get(name);
      if (collector) info.collector = collector();
      return info;
    });
  }
}
