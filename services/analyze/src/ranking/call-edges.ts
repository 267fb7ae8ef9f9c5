import { createHash } from 'node:crypto';
import { refKey, type Anomaly, type ResourceRef, type Span } from '@sleuth/core';
import { median, robust, type ShiftWindows } from './shift-stats';

/**
 * Where on the call graph an incident sits, from the time requests spend between pods.
 *
 * A call from pod A to pod B leaves two spans: A's client span and, as its child, B's server span.
 * The client's duration minus the server's is the time the request and its response spent
 * between the two processes: the network, both kernels' queues, A waiting to be scheduled to
 * read the reply. A latency symptom travels up the call chain through every caller, but this
 * "network time" only grows on the edges that touch the pod in trouble:
 * - network delay on a pod (tc netem) delays its packets, so the calls into it (and, depending on
 *   the direction shaped, its own calls out) gain time between the pods while its processing
 *   does not change;
 * - a CPU-starved pod is slow to send its responses and to read its callees' replies, so every
 *   edge in and out of it gains time, while the pods around it each see one shifted edge.
 * The unit whose edges shifted together is the locus; each neighbour shares only one of them.
 */
export const CALL_EDGE_DETECTOR = 'call-edges';

export interface CallEdgeOptions {
  /** Least gaps an edge needs in the reference to be judged against its own history. */
  minReference: number;
  /** Least calls on an edge in the incident window to judge it. */
  minIncident: number;
  /** A shift of this many robust standard deviations is a change. */
  minZ: number;
  /** Least spread of a gap assumed, in ms (clock resolution and jitter). */
  minSpreadMs: number;
  /** Least relative spread of a gap assumed (a share of its median). */
  minRelativeSpread: number;
}

export const DEFAULT_CALL_EDGE_OPTIONS: CallEdgeOptions = {
  minReference: 5,
  minIncident: 3,
  minZ: 3,
  minSpreadMs: 1,
  minRelativeSpread: 0.1,
};

/** One caller → callee edge compared between the reference and the incident. */
export interface CallEdgeShift {
  caller: ResourceRef;
  callee: ResourceRef;
  /** Median time between the pods, ms, before and during the incident. */
  beforeMs: number;
  nowMs: number;
  /** Calls on the edge during the incident. */
  calls: number;
  /** 0 when the edge did not shift; else min(significance, size) as other window shifts. */
  score: number;
  /** Whether the reference was the edge's own (else every edge's, pooled: too few calls before). */
  ownReference: boolean;
  /** First incident call beyond the bar (epoch ms), and the slowest one. */
  onsetMs: number;
  slowest: { traceId: string; spanId: string };
}

interface Gap {
  gapMs: number;
  endMs: number;
  traceId: string;
  spanId: string;
}

/**
 * Every call edge's time between the pods, incident against reference. A call is a span whose
 * parent was recorded by another unit (`unitOf`, e.g. the span's workload); its gap is the
 * parent's duration minus its own. An edge with at least `minReference` calls before is judged
 * against itself; one with fewer (a sparse service, a cold store) against every edge's gaps
 * pooled, what the cluster's network time usually is. Score: the smaller of the robust z's
 * significance and the size of the change (doubling 0.5), as {@link metricShifts}.
 */
export function callEdgeShifts(
  spans: readonly Span[],
  w: ShiftWindows,
  unitOf: (span: Span) => ResourceRef,
  opts: CallEdgeOptions = DEFAULT_CALL_EDGE_OPTIONS,
): CallEdgeShift[] {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  const edges = new Map<string, { caller: ResourceRef; callee: ResourceRef; ref: Gap[]; inc: Gap[] }>();
  for (const s of spans) {
    if (!s.parentSpanId || s.endMs < w.fromMs || s.endMs >= w.toMs) continue;
    const parent = byId.get(`${s.traceId}/${s.parentSpanId}`);
    if (!parent) continue;
    const caller = unitOf(parent);
    const callee = unitOf(s);
    const key = `${refKey(caller)}\u0000${refKey(callee)}`;
    if (refKey(caller) === refKey(callee)) continue;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { caller, callee, ref: [], inc: [] }));
    const gap = {
      gapMs: parent.durationMs - s.durationMs,
      endMs: s.endMs,
      traceId: s.traceId,
      spanId: s.spanId,
    };
    (s.endMs < w.incidentFromMs ? e.ref : e.inc).push(gap);
  }
  const pooled = robust([...edges.values()].flatMap((e) => e.ref.map((g) => g.gapMs)));
  const out: CallEdgeShift[] = [];
  for (const e of edges.values()) {
    if (e.inc.length < opts.minIncident) continue;
    const own = e.ref.length >= opts.minReference;
    const { m, sd } = own ? robust(e.ref.map((g) => g.gapMs)) : pooled;
    if (!Number.isFinite(m)) continue;
    const spread = Math.max(sd, opts.minSpreadMs, opts.minRelativeSpread * Math.abs(m));
    const now = median(e.inc.map((g) => g.gapMs));
    const z = (now - m) / spread;
    const significance = z < opts.minZ ? 0 : Math.min(1, 1 - opts.minZ / (2 * z));
    const size = m > 0 && now > 0 ? 1 - m / now : now > 0 ? 1 : 0;
    const score = Math.max(0, Math.min(significance, size));
    const sorted = [...e.inc].sort((a, b) => a.endMs - b.endMs);
    const onset = sorted.find((g) => (g.gapMs - m) / spread >= opts.minZ) ?? sorted[0];
    const slowest = [...e.inc].sort((a, b) => b.gapMs - a.gapMs)[0] as Gap;
    out.push({
      caller: e.caller,
      callee: e.callee,
      beforeMs: m,
      nowMs: now,
      calls: e.inc.length,
      score,
      ownReference: own,
      onsetMs: onset?.endMs ?? w.incidentFromMs,
      slowest: { traceId: slowest.traceId, spanId: slowest.spanId },
    });
  }
  return out;
}

/** How strongly a unit is the common end of the shifted edges, and which edges say so. */
export interface CallEdgeLocus {
  unit: ResourceRef;
  /**
   * The larger of the score-weighted shares of its calls in and of its calls out that shifted,
   * times 1 − 0.5^n for n shifted edges.
   */
  score: number;
  /** The score-weighted share of all its judged edges that shifted (breaks ties). */
  share: number;
  shifted: CallEdgeShift[];
  judged: number;
}

/**
 * The units at the common end of the shifted edges: per unit, the larger of the score-weighted
 * shares of its judged calls in and of its calls out that shifted (delay shaped on one direction
 * of a pod's traffic shows on all its inbound or all its outbound calls), times 1 − 0.5^n for n
 * shifted edges (one shifted edge could be either end's; several meeting at one unit place it).
 * A unit is a locus only when no unit sharing one of its shifted edges scores higher, or as high
 * with a larger share of all its edges shifted: a CPU-starved pod's callees each see one shifted
 * edge, their caller all of them; a caller whose only call went slow still has calls in that
 * did not.
 */
export function callEdgeLoci(shifts: readonly CallEdgeShift[]): CallEdgeLocus[] {
  const touching = new Map<string, { unit: ResourceRef; edges: CallEdgeShift[] }>();
  for (const e of shifts) {
    for (const u of [e.caller, e.callee]) {
      const k = refKey(u);
      (touching.get(k) ?? touching.set(k, { unit: u, edges: [] }).get(k))?.edges.push(e);
    }
  }
  const scored = new Map<string, CallEdgeLocus>();
  for (const [k, t] of touching) {
    const shifted = t.edges.filter((e) => e.score > 0);
    if (shifted.length === 0) continue;
    const share = (edges: readonly CallEdgeShift[]) =>
      edges.length === 0 ? 0 : edges.reduce((s, e) => s + e.score, 0) / edges.length;
    const into = t.edges.filter((e) => refKey(e.callee) === k);
    const out = t.edges.filter((e) => refKey(e.caller) === k);
    scored.set(k, {
      unit: t.unit,
      score: Math.max(share(into), share(out)) * (1 - 0.5 ** shifted.length),
      share: share(t.edges),
      shifted,
      judged: t.edges.length,
    });
  }
  return [...scored.entries()]
    .filter(([, l]) =>
      l.shifted.every((e) =>
        [e.caller, e.callee].every((u) => {
          const n = scored.get(refKey(u));
          return !n || n.score < l.score || (n.score === l.score && n.share <= l.share);
        }),
      ),
    )
    .map(([, l]) => l)
    .sort((a, b) => b.score - a.score);
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? String(Math.round(n)) : n.toPrecision(3));

/**
 * The loci as anomalies (`detector: 'call-edges'`, a traces finding on the unit pointing at the
 * slowest call of its most shifted edge), to rank with the other findings. Dependency direction
 * does not explain them away: the time is spent at the unit's own boundary, not in its callees.
 */
export function callEdgeAnomalies(
  spans: readonly Span[],
  w: ShiftWindows,
  unitOf: (span: Span) => ResourceRef,
  opts: CallEdgeOptions = DEFAULT_CALL_EDGE_OPTIONS,
): Anomaly[] {
  return callEdgeLoci(callEdgeShifts(spans, w, unitOf, opts)).map((l) => {
    const top = [...l.shifted].sort((a, b) => b.score - a.score)[0] as CallEdgeShift;
    const onsetMs = Math.min(...l.shifted.map((e) => e.onsetMs));
    const edges = l.shifted
      .map((e) => `${e.caller.name} → ${e.callee.name} ${fmt(e.beforeMs)} → ${fmt(e.nowMs)} ms`)
      .join('; ');
    const h = createHash('sha256').update(`${CALL_EDGE_DETECTOR}\u0000${refKey(l.unit)}\u0000${onsetMs}`);
    return {
      id: `anm_${h.digest('hex').slice(0, 24)}`,
      detector: CALL_EDGE_DETECTOR,
      resource: l.unit,
      signal: { kind: 'trace', traceId: top.slowest.traceId, spanId: top.slowest.spanId },
      onsetMs,
      lastSeenMs: w.toMs,
      score: Math.min(1, l.score),
      title:
        `Time between pods grew on ${l.shifted.length} of ${l.judged} call edges of ${l.unit.kind} ${l.unit.name}`.slice(
          0,
          500,
        ),
      explanation:
        `Median client span minus server span, incident against before: ${edges}. Neighbours share only one of these edges each.`.slice(
          0,
          4000,
        ),
    } satisfies Anomaly;
  });
}
