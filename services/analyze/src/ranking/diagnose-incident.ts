import { createHash } from 'node:crypto';
import {
  refKey,
  type Anomaly,
  type Evidence,
  type Incident,
  type ResourceRef,
  type RootCause,
} from '@sleuth/core';
import type { AnalysisContext } from '../analyzers/analyzer';
import type { Finding } from '../analyzers/finding';
import { analyzeResource } from '../analyzers/registry';
import type { TopologyGraph } from '../topology/graph';
import { callNeighbours, calleesWithin, topOwner } from '../correlator/units';
import { localizeRootCause, topologyUnits } from './localize';
import { spanShifts } from './window-shift';

/**
 * Failure modes that describe a consequence rather than a cause: a Deployment short of replicas
 * because its pods crash, a Service without endpoints because its pods are not ready. They rank
 * below the finding that explains them, on the same incident.
 */
const SYMPTOMS = new Set([
  'unavailable-replicas',
  'rollout-stalled',
  'no-ready-endpoints',
  'pods-evicted',
  'pdb-blocking',
  'hpa-at-max',
]);
const SYMPTOM_WEIGHT = 0.6;
/**
 * What a rollout's blame keeps when a service it calls failed first on its own: the rollout is
 * blamed for what followed it in time, and the callee's failure explains the same errors.
 */
const DOWNSTREAM_EXPLAINED = 0.5;
/** Calls followed down from a rolled-out workload looking for a failure that explains it. */
const CALL_HOPS = 3;
/** Most resources analyzed for one incident (its own, then their owners). */
const MAX_RESOURCES = 30;
/** Requests before an incident its own are compared with (localisation's reference). */
const REFERENCE_MS = 10 * 60_000;
/** Spans read for localisation at most (half before the incident, half during it). */
const MAX_SPANS = 6_000;
/** Localised causes rank below any analyzer finding of the same strength: they name where, not why. */
const LOCALISED_WEIGHT = 0.7;
/** Localised causes shown at most. */
const MAX_LOCALISED = 3;

function causeId(incidentId: string, f: Finding): string {
  const h = createHash('sha256').update(
    `${incidentId}\u0000${f.analyzer}\u0000${f.failureMode}\u0000${refKey(f.resource)}`,
  );
  return `rc_${h.digest('hex').slice(0, 24)}`;
}

/**
 * What the analyzers look at for an incident: its resources, the workloads owning its pods and
 * the autoscalers scaling them; and, apart, the NetworkPolicies of the namespaces it calls into or
 * is called from (a policy can cut a call the incident's errors come from).
 */
async function candidates(
  incident: Incident,
  ctx: AnalysisContext,
  graph: TopologyGraph | undefined,
): Promise<{ resources: ResourceRef[]; policies: ResourceRef[] }> {
  const out = new Map<string, ResourceRef>();
  const units = new Set<string>();
  for (const r of incident.resources) {
    out.set(refKey(r), r);
    if (!graph) continue;
    // The claims its pods mount: a pod Pending on an unbound claim is explained by the claim.
    for (const e of graph.neighbours(refKey(r)).dependsOn) {
      const pvc = e.kind === 'mounts' ? graph.node(e.to) : undefined;
      if (pvc && !pvc.missing) out.set(pvc.key, pvc.ref);
    }
    const unit = topOwner(refKey(r), graph);
    units.add(unit);
    const owner = graph.node(unit);
    if (owner && !owner.missing) out.set(owner.key, owner.ref);
    for (const e of graph.neighbours(unit).dependsOn) {
      const hpa = e.kind === 'scaled_by' ? graph.node(e.to) : undefined;
      if (hpa && !hpa.missing) out.set(hpa.key, hpa.ref);
    }
  }
  const policies: ResourceRef[] = [];
  const cluster = incident.resources[0]?.cluster;
  if (graph && cluster) {
    const namespaces = new Set<string>();
    for (const u of [...units, ...callNeighbours(units, graph)]) {
      const ns = graph.node(u)?.ref.namespace;
      if (ns) namespaces.add(ns);
    }
    for (const ns of namespaces) {
      for (const p of await ctx.objects(cluster, 'NetworkPolicy', ns)) policies.push(p.ref);
    }
  }
  return { resources: [...out.values()].slice(0, MAX_RESOURCES), policies: policies.slice(0, MAX_RESOURCES) };
}

/**
 * The ranked root causes of an incident, from the analyzers' findings on its resources and
 * their owning workloads (no LLM): ranked by the analyzer's confidence, with consequences
 * (replicas unavailable, no endpoints) below the causes that explain them, and, between equals,
 * the resource others in the incident depend on first (a failing database before its callers),
 * then the one whose anomalies started first.
 * Each cause keeps the finding's evidence; the hypothesis is its title and explanation.
 */
export async function diagnoseIncident(
  incident: Incident,
  ctx: AnalysisContext,
  graph?: TopologyGraph,
): Promise<RootCause[]> {
  const findings: Finding[] = [];
  const { resources, policies } = await candidates(incident, ctx, graph);
  for (const r of resources) {
    const { findings: found } = await analyzeResource(r, ctx);
    findings.push(...found);
  }
  // A policy explains the incident only by denying a call that was seen; one that selects no pod
  // is worth fixing, but not this incident's cause.
  for (const r of policies) {
    const { findings: found } = await analyzeResource(r, ctx);
    findings.push(...found.filter((f) => f.failureMode === 'denies-observed-call'));
  }
  const keys = new Set(incident.resources.map((r) => refKey(r)));
  const dependedOn = (f: Finding): number => {
    if (!graph) return 0;
    const key = refKey(f.resource);
    const { dependents } = graph.neighbours(topOwner(key, graph));
    return dependents.filter((e) => keys.has(e.from) || keys.has(topOwner(e.from, graph))).length;
  };
  // When the incident's trouble first showed on each unit: between equals, what broke first
  // explains what broke after.
  const firstOnset = new Map<string, number>();
  const cluster = incident.resources[0]?.cluster;
  let mine: Anomaly[] = [];
  if (cluster) {
    const ids = new Set(incident.anomalyIds);
    mine = (await ctx.anomalies({ cluster, fromMs: incident.startMs - 60_000, toMs: ctx.nowMs + 1 })).filter(
      (a) => ids.has(a.id),
    );
    for (const a of mine) {
      const key = graph ? topOwner(refKey(a.resource), graph) : refKey(a.resource);
      firstOnset.set(key, Math.min(firstOnset.get(key) ?? Infinity, a.onsetMs));
    }
  }
  const onset = (f: Finding): number => {
    const key = graph ? topOwner(refKey(f.resource), graph) : refKey(f.resource);
    return firstOnset.get(key) ?? Infinity;
  };
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const k = `${f.failureMode}\u0000${refKey(f.resource)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const scored = unique
    .map((f) => {
      const below = graph ? explainedBelow(f, unique, graph, onset) : undefined;
      return {
        f,
        weight:
          f.confidence *
          (SYMPTOMS.has(f.failureMode) ? SYMPTOM_WEIGHT : 1) *
          (below ? DOWNSTREAM_EXPLAINED : 1),
        depended: dependedOn(f),
        onsetMs: onset(f),
        note: below
          ? ` But ${below.resource.kind} ${below.resource.name}, which it calls, failed first on its own (${below.failureMode}): its errors may be that failure's.`
          : '',
      };
    })
    .sort((a, b) => b.weight - a.weight || b.depended - a.depended || a.onsetMs - b.onsetMs);
  const causes: Omit<RootCause, 'rank'>[] = scored.map(({ f, weight, note }) => ({
    id: causeId(incident.id, f),
    failureMode: f.failureMode,
    resource: f.resource,
    hypothesis: `${f.title}. ${f.explanation}${note}`.slice(0, 2000),
    confidence: Math.round(weight * 1000) / 1000,
    evidence: f.evidence,
    origin: 'rules',
    ...(f.remediation ? { remediation: f.remediation } : {}),
  }));
  // No Kubernetes failure explains it (a slow dependency, a saturated pod, a network delay):
  // say where the errors and latency start, from the anomalies, the call graph and how the
  // incident's requests compare with the ones before it.
  if (cluster && graph && !scored.some((x) => !SYMPTOMS.has(x.f.failureMode))) {
    causes.push(...(await localised(incident, mine, cluster, ctx, graph)));
    causes.sort((a, b) => b.confidence - a.confidence);
  }
  return causes.map((c, i) => ({ ...c, rank: i + 1 }));
}

/**
 * The failure of a service a rolled-out workload calls (directly or further down) that showed
 * before the workload's own trouble: a database going down a minute after an unrelated rollout of
 * its caller makes the caller's errors look like the rollout's. Only a rollout's blame, which
 * rests on timing alone, is weighed this way; a crash or a failing probe is seen directly.
 */
function explainedBelow(
  f: Finding,
  findings: readonly Finding[],
  graph: TopologyGraph,
  onset: (f: Finding) => number,
): Finding | undefined {
  if (f.failureMode !== 'bad-rollout') return undefined;
  const mine = onset(f);
  const below = calleesWithin(new Set([topOwner(refKey(f.resource), graph)]), graph, CALL_HOPS);
  return findings.find(
    (g) =>
      g !== f &&
      !SYMPTOMS.has(g.failureMode) &&
      below.has(topOwner(refKey(g.resource), graph)) &&
      Number.isFinite(onset(g)) &&
      onset(g) <= mine,
  );
}

/**
 * Where an incident's trouble starts when no analyzer names a cause: the product's localisation
 * (ranking/localize.ts) over the incident's anomalies plus the shifts its spans show against the
 * ten minutes before it (ranking/window-shift.ts: per operation, and the time calls spend
 * between pods), folded onto workloads along the traced call graph.
 */
async function localised(
  incident: Incident,
  anomalies: Anomaly[],
  cluster: string,
  ctx: AnalysisContext,
  graph: TopologyGraph,
): Promise<Omit<RootCause, 'rank'>[]> {
  const w = {
    fromMs: incident.startMs - REFERENCE_MS,
    incidentFromMs: incident.startMs,
    toMs: ctx.nowMs + 1,
  };
  // The newest of each side: the reference just before the incident, and the incident itself.
  const half = MAX_SPANS / 2;
  const spans = [
    ...(await ctx.spans({ cluster, fromMs: w.fromMs, toMs: w.incidentFromMs, limit: half })),
    ...(await ctx.spans({ cluster, fromMs: w.incidentFromMs, toMs: w.toMs, limit: half })),
  ];
  const shifts = spanShifts(spans, w);
  const { calls, unitOf } = topologyUnits(graph);
  const stored = new Map(anomalies.map((a) => [a.id, a]));
  const titles = new Map([...anomalies, ...shifts].map((a) => [a.id, a.title]));
  return localizeRootCause([...anomalies, ...shifts], calls, { unitOf })
    .slice(0, MAX_LOCALISED)
    .map((c) => {
      const evidence: Evidence[] = c.anomalyIds
        .filter((id) => stored.has(id))
        .slice(0, 8)
        .map((id) => ({ signal: { kind: 'anomaly', id }, summary: titles.get(id) ?? id }));
      const seen = c.anomalyIds
        .slice(0, 3)
        .map((id) => titles.get(id))
        .filter((t) => t !== undefined);
      const id = createHash('sha256')
        .update(`${incident.id}\u0000localised\u0000${refKey(c.resource)}`)
        .digest('hex')
        .slice(0, 24);
      return {
        id: `rc_${id}`,
        failureMode: 'degradation-origin',
        resource: c.resource,
        hypothesis: (
          `${c.resource.kind} ${c.resource.name} is where the incident's errors and latency start: ${c.reason}.` +
          (seen.length > 0 ? ` Seen: ${seen.join('; ')}.` : '')
        ).slice(0, 2000),
        confidence: Math.round(c.score * LOCALISED_WEIGHT * 1000) / 1000,
        evidence,
        origin: 'rules' as const,
      };
    });
}
