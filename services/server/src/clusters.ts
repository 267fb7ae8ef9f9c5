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
  /** The agents that pushed for this cluster, with what they last reported. */
  agents?: AgentInfo[];
}

/** An agent as its cluster's entry shows it. */
export interface AgentInfo {
  id: string;
  /** When it last delivered a batch or reported its status, epoch ms. */
  lastSeenMs: number;
  /** Batches it delivered since this server started (replays not counted). */
  batches: number;
  /** What it reported about itself (version, collector status, spool, shipping). */
  report?: AgentReport;
}

export interface AgentReport {
  version?: string | undefined;
  collector?: Record<string, unknown> | undefined;
  spool?: Record<string, unknown> | undefined;
  shipper?: Record<string, unknown> | undefined;
}

/**
 * Every cluster this server has heard from since it started (through any receiver: collectors,
 * agents, OpenTelemetry Collectors, the simulated fleet), with the status of the collectors it runs.
 */
export class ClusterRegistry {
  private readonly seen = new Map<string, { lastSeenMs: number; records: number }>();
  private readonly collectors = new Map<string, () => CollectorStatus>();
  private readonly agents = new Map<string, Map<string, AgentInfo>>();

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

  /** Notes a batch delivered by an agent (after its records were accepted). */
  agentBatch(cluster: string, agent: string, nowMs = Date.now()): void {
    const a = this.agent(cluster, agent, nowMs);
    a.batches++;
  }

  /** Keeps an agent's status report. */
  agentReport(cluster: string, agent: string, report: AgentReport, nowMs = Date.now()): void {
    this.agent(cluster, agent, nowMs).report = report;
  }

  private agent(cluster: string, id: string, nowMs: number): AgentInfo {
    let agents = this.agents.get(cluster);
    if (!agents) {
      agents = new Map();
      this.agents.set(cluster, agents);
    }
    let a = agents.get(id);
    if (!a) {
      a = { id, lastSeenMs: nowMs, batches: 0 };
      agents.set(id, a);
      // Bounded: an agent restarted with a fresh spool gets a new id; keep the 16 most recent.
      if (agents.size > 16) {
        const oldest = [...agents.values()].sort((x, y) => x.lastSeenMs - y.lastSeenMs)[0];
        if (oldest) agents.delete(oldest.id);
      }
    }
    a.lastSeenMs = nowMs;
    return a;
  }

  /** Registers the in-process collector of a cluster. */
  attach(cluster: string, status: () => CollectorStatus): void {
    this.collectors.set(cluster, status);
  }

  list(): ClusterInfo[] {
    const names = new Set([...this.seen.keys(), ...this.collectors.keys(), ...this.agents.keys()]);
    return [...names].sort().map((name) => {
      const s = this.seen.get(name);
      const info: ClusterInfo = { name, lastSeenMs: s?.lastSeenMs, records: s?.records ?? 0 };
      const collector = this.collectors.get(name);
      if (collector) info.collector = collector();
      const agents = this.agents.get(name);
      if (agents) info.agents = [...agents.values()].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
      return info;
    });
  }
}
