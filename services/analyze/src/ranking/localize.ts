import { refKey, type Anomaly, type ResourceRef } from '@sleuth/core';
import type { TopologyGraph } from '../topology/graph';
import { topOwner } from '../correlator/units';

/** One service or workload calling another, as traces show (caller depends on callee). */
export interface CallEdge {
  caller: ResourceRef;
  callee: ResourceRef;
}

/** Which kind of telemetry an anomaly was seen in. */
export type AnomalySignal = 'metrics' | 'traces' | 'logs' | 'kubernetes' | 'alerts';

export interface LocalizeOptions {
  /**
   * The unit a resource's trouble belongs to (a pod's Deployment); anomalies and call edges are
   * folded onto units before ranking. Default: the resource itself. See {@link topologyUnits}.
   */
  unitOf: (ref: ResourceRef) => ResourceRef;
  /** A later onset costs half the score after this long (earlier onset wins). */
  onsetHalfLifeMs: number;
  /**
   * Onsets are compared at this resolution: detectors judge in windows (a minute for RED and
   * log counts, a scrape for metrics), so a finer difference between two of them is the
   * windows', not the fault's.
   */
  onsetResolutionMs: number;
  /**
   * An anomalous callee that began no later than this after a unit's own onset explains the
   * unit's anomalies (clocks and windows make onsets coarse).
   */
  onsetSlackMs: number;
  /** Weight of a unit whose anomalies an anomalous callee explains. */
  explainedWeight: number;
  /** Weight of a unit with no call to or from the other anomalous units, when some are linked. */
  unlinkedWeight: number;
  /** Added weight for each anomalous unit a candidate explains (at most `maxSupport` count). */
  supportWeight: number;
  maxSupport: number;
  /**
   * Detectors whose findings place the trouble on the unit itself (the time its calls spend at
   * its own pod boundary, its own processing), which a slower callee cannot explain away.
   */
  localDetectors: readonly string[];
}

export const DEFAULT_LOCALIZE_OPTIONS: LocalizeOptions = {
  unitOf: (ref) => ref,
  onsetHalfLifeMs: 120_000,
  onsetResolutionMs: 60_000,
  onsetSlackMs: 60_000,
  explainedWeight: 0.3,
  unlinkedWeight: 0.5,
  supportWeight: 0.1,
  maxSupport: 5,
  localDetectors: ['call-edges'],
};

/** A workload or service ranked as the root cause of an incident, with its evidence. */
export interface RootCauseCandidate {
  resource: ResourceRef;
  /** 1 is the most likely cause. */
  rank: number;
  /** 0..1; comparable within one ranking only. */
  score: number;
  /** The earliest onset among its anomalies, epoch ms, at `onsetResolutionMs`. */
  onsetMs: number;
  /** The kinds of telemetry its anomalies were seen in. */
  signals: AnomalySignal[];
  /** Its anomalies, strongest first. */
  anomalyIds: string[];
  /** Anomalous units it calls (directly or through anomalous ones) that began no later: they explain it. */
  explainedBy: ResourceRef[];
  /** Anomalous units calling it (directly or through anomalous ones) that it explains. */
  explains: ResourceRef[];
  /** One sentence on why it ranks where it does. */
  reason: string;
}

/** The telemetry an anomaly comes from, by its evidence. */
export function anomalySignal(a: Anomaly): AnomalySignal {
  switch (a.signal.kind) {
    case 'series':
      return 'metrics';
    case 'trace':
      return 'traces';
    case 'log':
      return 'logs';
    case 'alert':
      return 'alerts';
    default:
      return 'kubernetes';
  }
}

interface Unit {
  ref: ResourceRef;
  anomalies: Anomaly[];
  onsetMs: number;
  strength: number;
  signals: Set<AnomalySignal>;
}

/**
 * How strongly a unit's anomalies say something is wrong with it: the strongest score of each
 * kind of telemetry, combined as independent evidence (1 − Π(1 − s)), so the same fault seen in
 * metrics, traces and logs outweighs one seen in a single signal, and ten correlated series of
 * one kind count once.
 */
function strength(anomalies: readonly Anomaly[]): number {
  const best = new Map<AnomalySignal, number>();
  for (const a of anomalies) best.set(anomalySignal(a), Math.max(best.get(anomalySignal(a)) ?? 0, a.score));
  let miss = 1;
  for (const s of best.values()) miss *= 1 - s;
  return 1 - miss;
}

/** Units reachable from `start` through `next`, passing only through anomalous units. */
function reach(start: string, next: Map<string, Set<string>>, units: Map<string, Unit>): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const k = stack.pop() as string;
    for (const n of next.get(k) ?? []) {
      if (seen.has(n) || n === start || !units.has(n)) continue;
      seen.add(n);
      stack.push(n);
    }
  }
  return seen;
}

/**
 * Ranks the workloads (or services) behind an incident's anomalies as its root cause, for
 * incidents no Kubernetes analyzer explains (a slow dependency, CPU contention, a bad rollout
 * that only shows in latency). Rules, in order of weight:
 * - Dependency direction: a unit that calls an anomalous unit (directly or through anomalous
 *   ones) whose requests got slower or failed (a traces anomaly) no later than its own trouble
 *   began is explained by it and ranks low; that callee ranks higher for every anomalous caller
 *   it explains.
 * - Earlier onset wins: a unit's score halves for every `onsetHalfLifeMs` its first anomaly came
 *   after the incident's first.
 * - Strength and breadth: the strongest anomaly of each kind of telemetry, combined.
 * - A unit with no call to or from the other anomalous units, when others are linked, is off
 *   the symptoms' path and weighs less (a noisy bystander).
 * Pure; call edges in either direction between the same two units are both kept. No anomalies
 * give an empty list.
 */
export function localizeRootCause(
  anomalies: readonly Anomaly[],
  calls: readonly CallEdge[],
  options: Partial<LocalizeOptions> = {},
): RootCauseCandidate[] {
  const o = { ...DEFAULT_LOCALIZE_OPTIONS, ...options };
  const units = new Map<string, Unit>();
  for (const a of anomalies) {
    const ref = o.unitOf(a.resource);
    const key = refKey(ref);
    let u = units.get(key);
    const onsetMs = Math.floor(a.onsetMs / o.onsetResolutionMs) * o.onsetResolutionMs;
    if (!u) units.set(key, (u = { ref, anomalies: [], onsetMs, strength: 0, signals: new Set() }));
    u.anomalies.push(a);
    u.onsetMs = Math.min(u.onsetMs, onsetMs);
    u.signals.add(anomalySignal(a));
  }
  if (units.size === 0) return [];
  for (const u of units.values()) {
    u.strength = strength(u.anomalies);
    u.anomalies.sort((a, b) => b.score - a.score || a.onsetMs - b.onsetMs);
  }
  const callees = new Map<string, Set<string>>();
  const callers = new Map<string, Set<string>>();
  const refs = new Map<string, ResourceRef>();
  for (const e of calls) {
    const from = o.unitOf(e.caller);
    const to = o.unitOf(e.callee);
    const f = refKey(from);
    const t = refKey(to);
    if (f === t) continue;
    refs.set(f, from);
    refs.set(t, to);
    (callees.get(f) ?? callees.set(f, new Set()).get(f))?.add(t);
    (callers.get(t) ?? callers.set(t, new Set()).get(t))?.add(f);
  }
  const linked = (k: string) =>
    [...(callees.get(k) ?? []), ...(callers.get(k) ?? [])].some((n) => n !== k && units.has(n));
  const anyLinked = [...units.keys()].some(linked);
  // Units where the trouble is placed at the unit itself; a fault spreads only along calls, so
  // an anomalous unit with no call path (through anomalous units) to any of them is a bystander.
  const loci = [...units.entries()]
    .filter(([, u]) => u.anomalies.some((a) => o.localDetectors.includes(a.detector)))
    .map(([k]) => k);
  const onLocusPath = (k: string) =>
    loci.length === 0 ||
    loci.includes(k) ||
    loci.some((l) => reach(k, callees, units).has(l) || reach(k, callers, units).has(l));
  const first = Math.min(...[...units.values()].map((u) => u.onsetMs));

  const scored = [...units.entries()].map(([key, u]) => {
    // Only a callee whose own requests got slower or failed (a traces anomaly) explains its
    // callers: a callee's CPU or log anomaly alone does not reach them.
    const local = loci.includes(key);
    // A locus sits on the pod boundary its calls in and out cross, so it also explains its
    // direct callees' trouble that began no earlier than its own.
    const lociCalling = loci.filter(
      (l) => callees.get(l)?.has(key) && (units.get(l) as Unit).onsetMs <= u.onsetMs + o.onsetSlackMs,
    );
    const explainedBy = local
      ? []
      : [
          ...new Set([
            ...[...reach(key, callees, units)].filter((k) => {
              const v = units.get(k) as Unit;
              return v.signals.has('traces') && v.onsetMs <= u.onsetMs + o.onsetSlackMs;
            }),
            ...lociCalling,
          ]),
        ];
    const explains = [
      ...new Set([
        ...(u.signals.has('traces') ? [...reach(key, callers, units)] : []),
        ...(local ? [...(callees.get(key) ?? [])].filter((k) => units.has(k)) : []),
      ]),
    ].filter((k) => u.onsetMs <= (units.get(k) as Unit).onsetMs + o.onsetSlackMs);
    const isLinked = linked(key);
    let score = u.strength * 0.5 ** ((u.onsetMs - first) / o.onsetHalfLifeMs);
    if (explainedBy.length > 0) score *= o.explainedWeight;
    if ((anyLinked && !isLinked && !local) || !onLocusPath(key)) score *= o.unlinkedWeight;
    score *= 1 + o.supportWeight * Math.min(explains.length, o.maxSupport);
    score /= 1 + o.supportWeight * o.maxSupport;
    const parts = [
      `${u.anomalies.length} anomal${u.anomalies.length === 1 ? 'y' : 'ies'} in ${[...u.signals].join(', ')}`,
      `onset ${Math.round((u.onsetMs - first) / 1000)} s after the first`,
      explainedBy.length > 0
        ? `explained by ${explainedBy.map((k) => units.get(k)?.ref.name).join(', ')}`
        : 'no anomalous callee explains it',
      explains.length > 0
        ? `explains ${explains.length} anomalous neighbour${explains.length === 1 ? '' : 's'}`
        : '',
      anyLinked && !isLinked && !local ? 'no call links it to the other anomalous units' : '',
      isLinked && !onLocusPath(key) ? 'no call path to where the call edges place the trouble' : '',
    ].filter((p) => p !== '');
    return {
      resource: u.ref,
      rank: 0,
      score,
      onsetMs: u.onsetMs,
      signals: [...u.signals].sort(),
      anomalyIds: u.anomalies.map((a) => a.id),
      explainedBy: explainedBy.map((k) => (units.get(k) as Unit).ref),
      explains: explains.map((k) => (units.get(k) as Unit).ref),
      reason: parts.join('; '),
    } satisfies RootCauseCandidate;
  });
  scored.sort(
    (a, b) =>
      b.score - a.score || a.onsetMs - b.onsetMs || refKey(a.resource).localeCompare(refKey(b.resource)),
  );
  return scored.map((c, i) => ({ ...c, score: Math.round(c.score * 1e4) / 1e4, rank: i + 1 }));
}

/**
 * Call edges and units from the topology: a `calls` edge between two Services becomes one
 * between the workloads their pods belong to (through `selects`/`endpoint` and `owns`), and a
 * pod's unit is its top owner. Pass the result to {@link localizeRootCause}.
 */
export function topologyUnits(graph: TopologyGraph): {
  calls: CallEdge[];
  unitOf: (ref: ResourceRef) => ResourceRef;
} {
  const unitOf = (ref: ResourceRef): ResourceRef => {
    const key = refKey(ref);
    if (!graph.node(key)) return ref;
    if (ref.kind === 'Service') {
      const backing = graph
        .neighbours(key)
        .dependsOn.find((e) => e.kind === 'selects' || e.kind === 'endpoint');
      if (backing) return graph.node(topOwner(backing.to, graph))?.ref ?? ref;
      return ref;
    }
    return graph.node(topOwner(key, graph))?.ref ?? ref;
  };
  const calls: CallEdge[] = [];
  for (const e of graph.allEdges()) {
    if (e.kind !== 'calls') continue;
    const from = graph.node(e.from);
    const to = graph.node(e.to);
    if (from && to) calls.push({ caller: unitOf(from.ref), callee: unitOf(to.ref) });
  }
  return { calls, unitOf };
}
