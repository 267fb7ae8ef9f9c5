import { createHash } from 'node:crypto';
import { refKey, type Incident, type ResourceRef, type RootCause } from '@sleuth/core';
import type { AnalysisContext } from '../analyzers/analyzer';
import type { Finding } from '../analyzers/finding';
import { analyzeResource } from '../analyzers/registry';
import type { TopologyGraph } from '../topology/graph';
import { callNeighbours, topOwner } from '../correlator/units';

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
/** Most resources analyzed for one incident (its own, then their owners). */
const MAX_RESOURCES = 30;

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
  if (cluster) {
    const ids = new Set(incident.anomalyIds);
    const mine = (
      await ctx.anomalies({ cluster, fromMs: incident.startMs - 60_000, toMs: ctx.nowMs + 1 })
    ).filter((a) => ids.has(a.id));
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
  const scored = findings
    .filter((f) => {
      const k = `${f.failureMode}\u0000${refKey(f.resource)}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((f) => ({
      f,
      weight: f.confidence * (SYMPTOMS.has(f.failureMode) ? SYMPTOM_WEIGHT : 1),
      depended: dependedOn(f),
      onsetMs: onset(f),
    }))
    .sort((a, b) => b.weight - a.weight || b.depended - a.depended || a.onsetMs - b.onsetMs);
  return scored.map(({ f, weight }, i) => ({
    id: causeId(incident.id, f),
    failureMode: f.failureMode,
    resource: f.resource,
    hypothesis: `${f.title}. ${f.explanation}`.slice(0, 2000),
    confidence: Math.round(weight * 1000) / 1000,
    rank: i + 1,
    evidence: f.evidence,
    origin: 'rules',
    ...(f.remediation ? { remediation: f.remediation } : {}),
  }));
}
