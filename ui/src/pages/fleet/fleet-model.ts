import type { Anomaly, ClusterInfo, Incident, IncidentSeverity, ResourceRef } from '../../lib/api/types';

export type Health = 'healthy' | 'degraded' | 'down' | 'silent' | 'starting';

/** A cluster quiet for this long is shown as silent: nothing arrives from it. */
export const SILENT_AFTER_MS = 2 * 60_000;

/**
 * A cluster's health as the fleet page shows it: what its collector reports when this server
 * watches it, and whether its data still arrives (an agent or OpenTelemetry Collector otherwise).
 */
export function clusterHealth(c: ClusterInfo, nowMs: number): { health: Health; reason: string } {
  const silentFor = c.lastSeenMs === undefined ? Infinity : nowMs - c.lastSeenMs;
  const state = c.collector?.state;
  if (state === 'failing') return { health: 'down', reason: 'the collector cannot read any resource' };
  if (state === 'starting') return { health: 'starting', reason: 'the collector is listing resources' };
  if (silentFor > SILENT_AFTER_MS) {
    return {
      health: 'silent',
      reason: c.lastSeenMs === undefined ? 'no data received yet' : 'no data for more than 2 minutes',
    };
  }
  if (state === 'degraded') {
    const bad = c.collector!.resources.filter((r) => r.state !== 'synced').map((r) => r.resource);
    return {
      health: 'degraded',
      reason: bad.length
        ? `not synced: ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? '…' : ''}`
        : 'logs or usage denied',
    };
  }
  return { health: 'healthy', reason: state ? 'collector synced, data arriving' : 'data arriving' };
}

export function severityCounts(incidents: Incident[]): Record<IncidentSeverity, number> {
  const counts: Record<IncidentSeverity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const i of incidents) if (i.status === 'open') counts[i.severity] += 1;
  return counts;
}

export interface AnomalousWorkload {
  resource: ResourceRef;
  anomalies: number;
  maxScore: number;
  latestMs: number;
  titles: string[];
}

/** Workloads (or whatever the anomalies are on) ranked by open anomalies, then by their top score. */
export function topAnomalous(anomalies: Anomaly[], limit = 8): AnomalousWorkload[] {
  const by = new Map<string, AnomalousWorkload>();
  for (const a of anomalies) {
    const r = a.resource;
    const key = `${r.cluster}/${r.namespace ?? ''}/${r.kind}/${r.name}`;
    const w = by.get(key) ?? { resource: r, anomalies: 0, maxScore: 0, latestMs: 0, titles: [] };
    w.anomalies += 1;
    w.maxScore = Math.max(w.maxScore, a.score);
    w.latestMs = Math.max(w.latestMs, a.lastSeenMs);
    if (w.titles.length < 3 && !w.titles.includes(a.title)) w.titles.push(a.title);
    by.set(key, w);
  }
  return [...by.values()]
    .sort((a, b) => b.anomalies - a.anomalies || b.maxScore - a.maxScore)
    .slice(0, limit);
}

/** Records stored per second for each kind, from two readings of the store's counts. */
export function ratesBetween(
  before: { atMs: number; counts: Record<string, number> } | undefined,
  after: { atMs: number; counts: Record<string, number> },
): Record<string, number> | undefined {
  if (!before) return undefined;
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.counts)) {
    const prev = before.counts[k];
    // Retention deletes rows: a count that went down says nothing about the rate.
    if (prev !== undefined && v >= prev) out[k] = (v - prev) / seconds;
  }
  return out;
}
