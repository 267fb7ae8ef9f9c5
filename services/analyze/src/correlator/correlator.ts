import type { Anomaly, Incident } from '@sleuth/core';
import type { TopologyGraph } from '../topology/graph';
import { causeTitle, incidentId, sameRef, SEVERITY_RANK, severityOf } from './incident-fields';
import { DEFAULT_CORRELATOR_OPTIONS, type CorrelatorOptions } from './options';
import { callNeighbours, unitsOf } from './units';

export { DEFAULT_CORRELATOR_OPTIONS, type CorrelatorOptions } from './options';

/** An anomaly that touches no incident and has not been corroborated yet. */
interface Pending {
  anomaly: Anomaly;
  units: Set<string>;
  near: Set<string>;
}

/** Where the correlator gets a cluster's topology (undefined when it cannot: it then groups by resource). */
export type TopologyLookup = (cluster: string) => Promise<TopologyGraph | undefined>;

interface Tracked {
  incident: Incident;
  units: Set<string>;
  /** Anomaly id -> still open. */
  anomalies: Map<string, boolean>;
  /** Its anomalies from `endsAtOnce` detectors. */
  endsAtOnce: Set<string>;
  lastActivityMs: number;
  maxScore: number;
}

/**
 * Groups anomalies into incidents by time and topology: an anomaly joins an incident of its
 * cluster that is still active (open, or resolved less than `reopenWindowMs` ago) when it
 * touches one of the incident's units (the same workload, a node or volume its pods use) or a
 * unit one service call away; else it opens a new incident. Every detector's view of one
 * failure (the crash-looping pod's state, its BackOff events, its error logs, its callers'
 * failing requests) lands in one incident. Lifecycle: open → resolved once all its anomalies
 * have ended and `resolveAfterMs` passed without a new one → reopened (same id) if trouble
 * comes back on its units within `reopenWindowMs`.
 *
 * `observe` and `tick` return the incidents that changed, for the store to upsert.
 */
export class Correlator {
  private readonly tracked = new Map<string, Tracked>();
  private readonly byAnomaly = new Map<string, Tracked>();
  private pending: Pending[] = [];

  constructor(
    private readonly topology: TopologyLookup,
    private readonly opts: CorrelatorOptions = DEFAULT_CORRELATOR_OPTIONS,
  ) {}

  get incidentCount(): number {
    return this.tracked.size;
  }

  /**
   * Takes back the incidents that were open (or recently resolved) when the server stopped, so
   * anomalies detected again after a restart join them instead of opening duplicates. Their
   * anomalies count as ended until seen again.
   */
  async restore(incidents: readonly Incident[]): Promise<void> {
    for (const inc of incidents) {
      if (this.tracked.has(inc.id)) continue;
      const units = new Set<string>();
      for (const r of inc.resources) {
        const graph = await this.topology(r.cluster).catch(() => undefined);
        for (const u of unitsOf(r, graph)) units.add(u);
      }
      const t: Tracked = {
        incident: { ...inc },
        units,
        anomalies: new Map(inc.anomalyIds.map((id) => [id, false])),
        endsAtOnce: new Set(),
        lastActivityMs: inc.updatedMs,
        maxScore: 0,
      };
      this.tracked.set(inc.id, t);
      for (const id of inc.anomalyIds) this.byAnomaly.set(id, t);
    }
  }

  async observe(anomalies: readonly Anomaly[]): Promise<Incident[]> {
    const changed = new Set<Tracked>();
    for (const a of anomalies) {
      const known = this.byAnomaly.get(a.id);
      if (known) {
        this.update(known, a);
        changed.add(known);
        continue;
      }
      const graph = await this.topology(a.resource.cluster).catch(() => undefined);
      const units = unitsOf(a.resource, graph);
      if (a.group !== undefined) units.add(`group:${a.group}`);
      const near = callNeighbours(units, graph);
      this.pending = this.pending.filter((p) => p.anomaly.id !== a.id);
      let t = this.find(a, units, near);
      let group: Pending[] = [];
      if (!t) {
        group = this.corroborating(a, units, near);
        const opens =
          this.opts.opensAlone.includes(a.detector) ||
          [a, ...group.map((p) => p.anomaly)].filter((x) => x.score >= this.opts.corroboratedScore).length >=
            2;
        if (!opens) {
          this.pending.push({ anomaly: a, units, near });
          continue;
        }
        // The incident starts with the earliest of what it is made of.
        const first = [a, ...group.map((p) => p.anomaly)].sort((x, y) => x.onsetMs - y.onsetMs)[0] ?? a;
        t = this.open(first);
      }
      for (const p of [...group, { anomaly: a, units, near }]) {
        for (const u of p.units) t.units.add(u);
        this.byAnomaly.set(p.anomaly.id, t);
        this.update(t, p.anomaly);
      }
      // What waited and touches the incident now joins it.
      const joining = this.pending.filter((p) => this.touches(t, p.units, p.near, p.anomaly));
      for (const p of joining) {
        for (const u of p.units) t.units.add(u);
        this.byAnomaly.set(p.anomaly.id, t);
        this.update(t, p.anomaly);
      }
      this.pending = this.pending.filter((p) => !joining.includes(p) && !group.includes(p));
      changed.add(t);
    }
    this.forgetOld();
    return [...changed].map((t) => ({ ...t.incident }));
  }

  /** The open incidents, as they stand. */
  openIncidents(): Incident[] {
    return [...this.tracked.values()]
      .filter((t) => t.incident.status === 'open')
      .map((t) => ({ ...t.incident }));
  }

  /**
   * Sets an incident's ranked root causes (from the diagnosis); the top cause names the
   * incident. Returns the updated incident, or undefined when it is not tracked.
   */
  attachRootCauses(id: string, rootCauses: Incident['rootCauses']): Incident | undefined {
    const t = this.tracked.get(id);
    if (!t) return undefined;
    const top = rootCauses[0];
    t.incident = {
      ...t.incident,
      rootCauses,
      ...(top ? { title: causeTitle(top) ?? t.incident.title } : {}),
    };
    return { ...t.incident };
  }

  /** Resolves incidents whose anomalies have all ended long enough ago (signal clock). */
  tick(nowMs: number): Incident[] {
    const out: Incident[] = [];
    this.pending = this.pending.filter(
      (p) => nowMs - p.anomaly.lastSeenMs <= this.opts.corroborateWindowMs || p.anomaly.endMs === undefined,
    );
    if (this.pending.length > this.opts.maxIncidents)
      this.pending = this.pending.slice(-this.opts.maxIncidents);
    for (const t of this.tracked.values()) {
      if (t.incident.status !== 'open') continue;
      const allEnded = [...t.anomalies.values()].every((open) => !open);
      if (allEnded && nowMs - t.lastActivityMs >= this.opts.resolveAfterMs) {
        t.incident = { ...t.incident, status: 'resolved', resolvedMs: nowMs, updatedMs: nowMs };
        out.push({ ...t.incident });
      }
    }
    return out;
  }

  private find(a: Anomaly, units: Set<string>, near: Set<string>): Tracked | undefined {
    let best: Tracked | undefined;
    for (const t of this.tracked.values()) {
      if (t.incident.resources[0]?.cluster !== a.resource.cluster) continue;
      const active =
        t.incident.status === 'open'
          ? a.onsetMs - t.lastActivityMs <= this.opts.joinWindowMs
          : a.onsetMs - (t.incident.resolvedMs ?? 0) <= this.opts.reopenWindowMs;
      if (!active) continue;
      const touches = this.touches(t, units, near);
      if (touches && (!best || t.lastActivityMs > best.lastActivityMs)) best = t;
    }
    return best;
  }

  /**
   * Whether an anomaly on `units` touches an incident: one of its units; or, while it is open, a
   * unit one call away (a cascade joins an open incident; a resolved one reopens only when trouble
   * comes back on its own units). With `a`, also within the join window of its last activity.
   */
  private touches(t: Tracked, units: ReadonlySet<string>, near: ReadonlySet<string>, a?: Anomaly): boolean {
    if (a) {
      if (t.incident.resources[0]?.cluster !== a.resource.cluster) return false;
      if (t.incident.status !== 'open' || a.onsetMs - t.lastActivityMs > this.opts.joinWindowMs) return false;
    }
    return (
      [...units].some((u) => t.units.has(u)) ||
      (t.incident.status === 'open' && [...near].some((u) => t.units.has(u)))
    );
  }

  /** Waiting anomalies that corroborate `a`: same cluster, onset close to it, same or neighbouring unit. */
  private corroborating(a: Anomaly, units: ReadonlySet<string>, near: ReadonlySet<string>): Pending[] {
    return this.pending.filter((p) => {
      if (p.anomaly.resource.cluster !== a.resource.cluster) return false;
      if (Math.abs(p.anomaly.onsetMs - a.onsetMs) > this.opts.corroborateWindowMs) return false;
      const linked = (x: ReadonlySet<string>, y: ReadonlySet<string>) => [...x].some((u) => y.has(u));
      return linked(units, p.units) || linked(near, p.units) || linked(units, p.near);
    });
  }

  private open(a: Anomaly): Tracked {
    const t: Tracked = {
      incident: {
        id: incidentId(a.resource.cluster, a.id),
        title: a.title,
        status: 'open',
        severity: 'low',
        startMs: a.onsetMs,
        updatedMs: a.lastSeenMs,
        resources: [a.resource],
        anomalyIds: [],
        rootCauses: [],
      },
      units: new Set(),
      anomalies: new Map(),
      endsAtOnce: new Set(),
      lastActivityMs: a.lastSeenMs,
      maxScore: 0,
    };
    this.tracked.set(t.incident.id, t);
    return t;
  }

  private update(t: Tracked, a: Anomaly): void {
    const ended = a.endMs !== undefined;
    t.anomalies.set(a.id, !ended);
    t.maxScore = Math.max(t.maxScore, a.score);
    t.lastActivityMs = Math.max(t.lastActivityMs, ended ? (a.endMs ?? a.lastSeenMs) : a.lastSeenMs);
    const inc = t.incident;
    const resources = inc.resources.some((r) => sameRef(r, a.resource))
      ? inc.resources
      : [...inc.resources, a.resource];
    const reopened = inc.status === 'resolved' && !ended;
    const maxScore = t.maxScore;
    const severity = severityOf(maxScore, resources.length);
    t.incident = {
      ...inc,
      status: reopened ? 'open' : inc.status,
      startMs: Math.min(inc.startMs, a.onsetMs),
      updatedMs: Math.max(inc.updatedMs, a.lastSeenMs, a.endMs ?? 0),
      resources: resources.slice(0, 200),
      anomalyIds: inc.anomalyIds.includes(a.id) ? inc.anomalyIds : [...inc.anomalyIds, a.id].slice(-1000),
      // A restored incident keeps the severity it had until new evidence raises it.
      severity: SEVERITY_RANK[severity] >= SEVERITY_RANK[inc.severity] ? severity : inc.severity,
      // The strongest signal names the incident until the root-cause ranking names it.
      title: inc.rootCauses.length === 0 && a.score >= maxScore ? a.title : inc.title,
    };
    if (reopened) delete t.incident.resolvedMs;
    if (this.opts.endsAtOnce.includes(a.detector)) t.endsAtOnce.add(a.id);
    // Nothing left that needs waiting out: the incident resolves with its last anomaly.
    const allEnded = [...t.anomalies.values()].every((open) => !open);
    if (
      t.incident.status === 'open' &&
      allEnded &&
      [...t.anomalies.keys()].every((id) => t.endsAtOnce.has(id))
    ) {
      t.incident = {
        ...t.incident,
        status: 'resolved',
        resolvedMs: t.lastActivityMs,
        updatedMs: Math.max(t.incident.updatedMs, t.lastActivityMs),
      };
    }
  }

  private forgetOld(): void {
    if (this.tracked.size <= this.opts.maxIncidents) return;
    for (const [id, t] of this.tracked) {
      if (this.tracked.size <= this.opts.maxIncidents) break;
      if (t.incident.status !== 'resolved') continue;
      this.tracked.delete(id);
      for (const aid of t.anomalies.keys()) this.byAnomaly.delete(aid);
    }
  }
}
