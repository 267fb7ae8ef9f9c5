import { z } from 'zod';
import { refKey, ValidationError, type Anomaly, type Incident, type ResourceRef } from '@sleuth/core';
import { topOwner } from '../../correlator/units';
import { clip, guard, iso, refText, ResourceParam, round, shownRef } from './common';
import { locate, ownedKeys } from './resource-scope';
import { defineTool, noData, ok, type ToolContext } from './tool';

const MAX_ANOMALIES = 30;
const MAX_RESOURCES = 20;
/** Pieces of evidence shown per root cause. */
const MAX_EVIDENCE = 10;
/** Objects of a resource's unit tried, one incident query each, when the resource itself has none. */
const MAX_UNIT_LOOKUPS = 10;

const params = z.object({
  id: z.string().min(1).max(200).optional().describe('Incident id; omit to get the latest open incident'),
  resource: ResourceParam.optional().describe('Without id: the latest open incident touching this object'),
});

export const getIncident = defineTool({
  name: 'get_incident',
  description:
    'Read an incident: title, severity, status, times, resources, its anomalies, and the ranked root causes ' +
    'with hypothesis, confidence, evidence and remediation. By id, or the latest open one (touching a resource).',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        let incident: Incident | undefined;
        const notes: string[] = [];
        if (p.id) {
          query = { id: p.id };
          incident = await ctx.store.getIncident(p.id);
          if (!incident) throw new ValidationError(`no incident with id ${p.id}. ${await recent(ctx)}`);
        } else if (p.resource) {
          const { ref } = await locate(ctx, p.resource, false);
          query = { resource: ref, status: 'open' };
          incident = await openTouching(ctx, ref);
          if (!incident)
            return noData(
              query,
              `no open incident touches ${refText(ref)} or its owner and pods. ${await recent(ctx)}`,
            );
        } else {
          query = { status: 'open', latest: true };
          const open = await ctx.store.listIncidents({ status: 'open', limit: 6 });
          incident = open[0];
          if (!incident) return noData(query, `no incident is open. ${await recent(ctx)}`);
          if (open.length > 1)
            notes.push(
              `other open incidents: ${open
                .slice(1)
                .map((i) => `${i.id} (${i.title})`)
                .join('; ')}`,
            );
        }
        const anomalies = await anomaliesOf(ctx, incident);
        const missing = incident.anomalyIds.filter((id) => !anomalies.some((a) => a.id === id));
        if (missing.length > 0)
          notes.push(`${missing.length} anomalies are no longer stored: ${missing.slice(0, 10).join(', ')}`);
        if (incident.anomalyIds.length > MAX_ANOMALIES)
          notes.push(`only the first ${MAX_ANOMALIES} anomalies are shown`);
        const data = {
          id: incident.id,
          title: incident.title,
          severity: incident.severity,
          status: incident.status,
          start: iso(incident.startMs),
          updated: iso(incident.updatedMs),
          ...(incident.resolvedMs !== undefined ? { resolved: iso(incident.resolvedMs) } : {}),
          resources: incident.resources.slice(0, MAX_RESOURCES).map(shownRef),
          anomalies: anomalies.slice(0, MAX_ANOMALIES).map((a) => ({
            id: a.id,
            evidenceId: ctx.evidence.add(
              { kind: 'anomaly', id: a.id },
              `${a.title} (${a.detector} on ${refText(a.resource)}, from ${iso(a.onsetMs)})`,
            ),
            title: clip(a.title, 200),
            detector: a.detector,
            resource: refText(a.resource),
            onset: iso(a.onsetMs),
            ...(a.endMs !== undefined ? { end: iso(a.endMs) } : {}),
          })),
          rootCauses: [...incident.rootCauses]
            .sort((a, b) => a.rank - b.rank)
            .map((c) => ({
              rank: c.rank,
              failureMode: c.failureMode,
              resource: shownRef(c.resource),
              hypothesis: clip(c.hypothesis, 800),
              confidence: round(c.confidence),
              origin: c.origin,
              evidence: c.evidence.slice(0, MAX_EVIDENCE).map((e) => ({
                evidenceId: ctx.evidence.add(e.signal, e.summary),
                summary: clip(e.summary, 200),
              })),
              ...(c.remediation ? { remediation: c.remediation } : {}),
            })),
        };
        return ok(data, query, notes.length > 0 ? notes.join('; ') : undefined);
      },
    );
  },
});

/** The latest open incident with the resource, else its top owner or what it owns, among its resources. */
async function openTouching(ctx: ToolContext, ref: ResourceRef): Promise<Incident | undefined> {
  const refs: ResourceRef[] = [ref];
  const graph = await ctx.topology.graph(ref.cluster, ctx.nowMs).catch(() => undefined);
  if (graph) {
    const keys = [topOwner(refKey(ref), graph), ...(await ownedKeys(ctx, ref))];
    for (const k of keys) {
      const n = graph.node(k);
      if (n && !refs.some((r) => refKey(r) === k)) refs.push(n.ref);
    }
  }
  for (const r of refs.slice(0, MAX_UNIT_LOOKUPS)) {
    const [found] = await ctx.store.listIncidents({
      status: 'open',
      resource: {
        cluster: r.cluster,
        kind: r.kind,
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
      },
      limit: 1,
    });
    if (found) return found;
  }
  return undefined;
}

/** A line naming the latest incidents, so a model can pick one. */
async function recent(ctx: ToolContext): Promise<string> {
  const latest = await ctx.store.listIncidents({ limit: 5 });
  if (latest.length === 0) return 'Sleuth holds no incidents.';
  return `Latest incidents: ${latest.map((i) => `${i.id} (${i.status}, ${i.title})`).join('; ')}.`;
}

/** The incident's anomaly records, found by its window: per cluster, then per resource for any missed. */
async function anomaliesOf(ctx: ToolContext, inc: Incident): Promise<Anomaly[]> {
  const wanted = new Set(inc.anomalyIds);
  const found = new Map<string, Anomaly>();
  const endMs = inc.resolvedMs ?? Math.max(inc.updatedMs, ctx.nowMs);
  const window = { fromMs: inc.startMs, toMs: endMs + 1, limit: 1000 };
  for (const cluster of new Set(inc.resources.map((r) => r.cluster)))
    for (const a of await ctx.store.listAnomalies({ ...window, cluster }))
      if (wanted.has(a.id)) found.set(a.id, a);
  if (found.size < wanted.size)
    for (const resource of inc.resources.slice(0, MAX_RESOURCES))
      for (const a of await ctx.store.listAnomalies({ ...window, resource }))
        if (wanted.has(a.id)) found.set(a.id, a);
  const order = inc.anomalyIds;
  return [...found.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}
