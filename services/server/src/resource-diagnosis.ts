import { z } from 'zod';
import {
  Evidence,
  Incident,
  K8sEvent,
  ResourceRef,
  RootCause,
  refKey,
  type ObjectSnapshot,
} from '@sleuth/core';
import {
  StoreContext,
  diagnoseIncident,
  topOwner,
  type TopologyGraph,
  type TopologySource,
  type StoreContextOptions,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';
import { quoteEvidence } from './evidence-quotes';
import { ShownRecommendation, recommendationsFor } from './recommendations';
import { formatResourceArg, type ResourceArg } from './resource-arg';

/** What Sleuth says about one resource: `sleuth diagnose` and `GET /api/v1/diagnosis`. */
export const ResourceDiagnosis = z.object({
  resource: ResourceRef,
  /** The resource and what was analyzed with it: its pods (a workload's, a Service's), their owners. */
  analyzed: z.array(ResourceRef),
  /** Ranked as an incident's root causes are; each piece of evidence with the data it points at. */
  rootCauses: z.array(
    RootCause.extend({ evidence: z.array(Evidence.extend({ quotes: z.array(z.string()) })) }),
  ),
  recommendations: z.array(ShownRecommendation),
  /** The latest Warning events on what was analyzed, newest first (with their time: a dump's are old). */
  events: z.array(K8sEvent),
  /** Open incidents that include the resource or what was analyzed with it. */
  openIncidents: z.array(
    Incident.pick({ id: true, title: true, severity: true, startMs: true, updatedMs: true }),
  ),
  nowMs: z.number(),
});
export type ResourceDiagnosis = z.infer<typeof ResourceDiagnosis>;

/** The resource named is not in the store: with the names it may have meant. */
export interface NotFound {
  notFound: string;
  closeMatches: ResourceRef[];
}

/** Kinds whose pods are analyzed with them, and the edge that leads from them to the pods. */
const POD_EDGES: Record<string, 'owns' | 'selects'> = {
  Deployment: 'owns',
  ReplicaSet: 'owns',
  StatefulSet: 'owns',
  DaemonSet: 'owns',
  Job: 'owns',
  CronJob: 'owns',
  Service: 'selects',
};
const MAX_PODS = 20;
const MAX_EVENTS = 10;
const DIAGNOSIS_ID = 'diagnosis';

/**
 * Finds the resource (in `cluster`, or the one cluster that has it), runs the analyzers on it with
 * its pods and owning workloads, and ranks the findings exactly as an incident's root causes are
 * ranked. Reads only. Answers NotFound with close matches when no such object is stored, or when
 * it is ambiguous (several namespaces or clusters hold it).
 */
export async function diagnoseResource(
  deps: { store: Store; topology: TopologySource; analysis?: StoreContextOptions },
  arg: ResourceArg,
  cluster: string | undefined,
  nowMs = Date.now(),
): Promise<ResourceDiagnosis | NotFound> {
  const { store, topology } = deps;
  const found = await store.listObjects({
    kind: arg.kind,
    name: arg.name,
    limit: 20,
    ...(cluster ? { cluster } : {}),
    ...(arg.namespace ? { namespace: arg.namespace } : {}),
  });
  const snap = found.length === 1 ? found[0] : undefined;
  if (!snap) {
    const what = `${formatResourceArg(arg)}${cluster ? ` in cluster ${cluster}` : ''}`;
    return found.length > 1
      ? {
          notFound: `${what} is ambiguous: say which with NAMESPACE/KIND/NAME or --cluster`,
          closeMatches: found.map((o) => o.ref),
        }
      : { notFound: `no ${what} is stored`, closeMatches: await closeMatches(store, arg, cluster) };
  }
  const ref = snap.ref;
  const graph = await topology.graph(ref.cluster, nowMs).catch(() => undefined);
  const subjects = [ref, ...(graph ? podsOf(ref, graph) : [])];
  // diagnoseIncident analyzes the subjects' owning workloads too.
  const analyzed = new Map(subjects.map((r) => [refKey(r), r]));
  for (const r of graph ? subjects : []) {
    const owner = graph?.node(topOwner(refKey(r), graph));
    if (owner && !owner.missing) analyzed.set(owner.key, owner.ref);
  }
  const probe: Incident = {
    id: `${DIAGNOSIS_ID}_${refKey(ref)}`,
    title: `diagnosis of ${formatResourceArg(ref)}`,
    status: 'open',
    severity: 'low',
    startMs: nowMs,
    updatedMs: nowMs,
    resources: subjects,
    anomalyIds: [],
    rootCauses: [],
  };
  const causes = await diagnoseIncident(
    probe,
    new StoreContext(store, topology, nowMs, deps.analysis ?? {}),
    graph,
  );
  const rootCauses = [];
  for (const rc of causes) {
    const evidence = [];
    for (const e of rc.evidence) evidence.push({ ...e, quotes: await quoteEvidence(store, e, rc.resource) });
    rootCauses.push({ ...rc, evidence });
  }
  const involved = new Map(analyzed);
  for (const c of causes) involved.set(refKey(c.resource), c.resource);
  const incidents = new Map<string, Incident>();
  const events: K8sEvent[] = [];
  for (const r of [...involved.values()].slice(0, MAX_PODS + 5)) {
    const where = {
      cluster: r.cluster,
      kind: r.kind,
      name: r.name,
      ...(r.namespace ? { namespace: r.namespace } : {}),
    };
    for (const i of await store.listIncidents({ status: 'open', resource: where, limit: 20 }))
      incidents.set(i.id, i);
    events.push(...(await store.listEvents({ ...where, type: 'Warning', limit: MAX_EVENTS })));
  }
  return {
    resource: ref,
    analyzed: [...involved.values()],
    rootCauses,
    recommendations: recommendationsFor(probe.id, causes),
    events: events.sort((a, b) => b.lastMs - a.lastMs).slice(0, MAX_EVENTS),
    openIncidents: [...incidents.values()]
      .sort((a, b) => b.updatedMs - a.updatedMs)
      .map(({ id, title, severity, startMs, updatedMs }) => ({ id, title, severity, startMs, updatedMs })),
    nowMs,
  };
}

/** A workload's or Service's pods (through ReplicaSets and Jobs), at most MAX_PODS. */
function podsOf(ref: ResourceRef, graph: TopologyGraph): ResourceRef[] {
  const edge = POD_EDGES[ref.kind];
  if (!edge) return [];
  const pods: ResourceRef[] = [];
  const queue = [refKey(ref)];
  const seen = new Set(queue);
  while (queue.length > 0 && pods.length < MAX_PODS) {
    const key = queue.shift() ?? '';
    for (const e of graph.neighbours(key).dependsOn) {
      if (e.kind !== edge || seen.has(e.to)) continue;
      seen.add(e.to);
      const node = graph.node(e.to);
      if (!node || node.missing) continue;
      if (node.ref.kind === 'Pod') pods.push(node.ref);
      else if (edge === 'owns') queue.push(e.to);
    }
  }
  return pods.slice(0, MAX_PODS);
}

/** Objects the person may have meant: the same name elsewhere, then similar names of the kind. */
async function closeMatches(
  store: Store,
  arg: ResourceArg,
  cluster: string | undefined,
): Promise<ResourceRef[]> {
  const inCluster = cluster ? { cluster } : {};
  const sameName = await store.listObjects({ ...inCluster, name: arg.name, limit: 10 });
  const sameKind = await store.listObjects({ ...inCluster, kind: arg.kind, limit: 5000 });
  const target = arg.name.toLowerCase();
  const scored = sameKind
    .map((o: ObjectSnapshot) => ({ ref: o.ref, d: distance(o.ref.name.toLowerCase(), target) }))
    .filter(({ ref, d }) => {
      const n = ref.name.toLowerCase();
      return n.includes(target) || target.includes(n) || d <= Math.max(2, Math.floor(target.length / 3));
    })
    .sort((a, b) => a.d - b.d);
  const out = new Map<string, ResourceRef>();
  for (const r of [...sameName.map((o) => o.ref), ...scored.map((s) => s.ref)]) out.set(refKey(r), r);
  return [...out.values()].slice(0, 8);
}

/** Levenshtein distance, for names a person mistyped. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(
        Math.min(
          (prev[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
