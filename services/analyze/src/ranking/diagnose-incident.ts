import { createHash } from 'node:crypto';
import { refKey, type Incident, type ResourceRef, type RootCause } from '@sleuth/core';
import type { AnalysisContext } from '../analyzers/analyzer';
import type { Finding } from '../analyzers/finding';
import { analyzeResource } from '../analyzers/registry';
import type { TopologyGraph } from '../topology/graph';
import { topOwner } from '../correlator/units';

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

/** The incident's resources, and the workloads owning its pods (analyzers look at both). */
function candidates(incident: Incident, graph: TopologyGraph | undefined): ResourceRef[] {
  const out = new Map<string, ResourceRef>();
  for (const r of incident.resources) {
    out.set(refKey(r), r);
    if (!graph) continue;
    const owner = graph.node(topOwner(refKey(r), graph));
    if (owner && !owner.missing) out.set(owner.key, owner.ref);
  }
  return [...out.values()].slice(0, MAX_RESOURCES);
}

/**
 * The ranked root causes of an incident, from the analyzers' findings on its resources and
 * their owning workloads (no LLM): ranked by the analyzer's confidence, with consequences
 * (replicas unavailable, no endpoints) below the causes that explain them, and, between equals,
 * the resource others in the incident depend on first (a failing database before its callers).
 * Each cause keeps the finding's evidence; the hypothesis is its title and explanation.
 */
export async function diagnoseIncident(
  incident: Incident,
  ctx: AnalysisContext,
  graph?: TopologyGraph,
): Promise<RootCause[]> {
  const findings: Finding[] = [];
  for (const r of candidates(incident, graph)) {
    const { findings: found } = await analyzeResource(r, ctx);
    findings.push(...found);
  }
  const keys = new Set(incident.resources.map((r) => refKey(r)));
  const dependedOn = (f: Finding): number => {
    if (!graph) return 0;
    const key = refKey(f.resource);
    const { dependents } = graph.neighbours(topOwner(key, graph));
    return dependents.filter((e) => keys.has(e.from) || keys.has(topOwner(e.from, graph))).length;
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
    }))
    .sort((a, b) => b.weight - a.weight || b.depended - a.depended);
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
