import { z } from 'zod';
import {
  Alert,
  Anomaly,
  EpochMsSchema,
  Incident,
  ResourceRef,
  SignalRef,
  refKey,
  type K8sEvent,
} from '@sleuth/core';
import {
  createdMs,
  describeChange,
  topOwner,
  type TopologySource,
  type TopologyGraph,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';
import { ShownRecommendation, recommendationsFor } from './recommendations';

export const TimelineEntryType = z.enum([
  'incident-opened',
  'incident-updated',
  'incident-resolved',
  'anomaly-onset',
  'anomaly-end',
  'event',
  'object-change',
]);

/** One thing that happened around an incident, with a pointer to where it is recorded. */
export const TimelineEntry = z.object({
  timeMs: EpochMsSchema,
  type: TimelineEntryType,
  resource: ResourceRef.optional(),
  summary: z.string(),
  signal: SignalRef.optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** `GET /api/v1/incidents/:id`: the incident with what explains it. */
export const IncidentDetail = Incident.extend({
  /** Oldest first. */
  timeline: z.array(TimelineEntry),
  anomalies: z.array(Anomaly),
  /** The alerts that started or joined it, most recently updated first. */
  alerts: z.array(Alert),
  recommendations: z.array(ShownRecommendation),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

/** Object changes are looked for this long before the incident started ("just before"). */
const CHANGES_BEFORE_MS = 30 * 60_000;
/** Events are looked for this long before the incident started. */
const EVENTS_BEFORE_MS = 5 * 60_000;
const MAX_RELATED = 40;
const EVENTS_PER_RESOURCE = 20;
const MAX_TIMELINE = 1000;
/** Kinds whose changes (rollouts, image, replicas, config) can start an incident. */
const CHANGE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ConfigMap',
  'Secret',
  'HorizontalPodAutoscaler',
]);
const ORDER = TimelineEntryType.options;

/**
 * The incident with its full anomaly records, recommendations (one per root cause with a
 * remediation) and a timeline: the incident's own transitions, each anomaly's onset and end,
 * Kubernetes events on its resources and their owners in its window, and changes to its workloads
 * and their ConfigMaps/Secrets from 30 minutes before it started. Reads only; what the store no
 * longer holds (retention) is left out.
 */
const MAX_ALERTS = 100;

export async function incidentDetail(
  incident: Incident,
  deps: { store: Store; topology: TopologySource },
  nowMs = Date.now(),
): Promise<IncidentDetail> {
  const endMs = incident.resolvedMs ?? Math.max(incident.updatedMs, nowMs);
  const anomalies = await anomaliesOf(incident, deps.store, endMs);
  const related = await relatedResources(incident, deps.topology);
  const timeline: TimelineEntry[] = [...transitions(incident)];
  for (const a of anomalies) {
    const signal = { kind: 'anomaly' as const, id: a.id };
    timeline.push({
      timeMs: a.onsetMs,
      type: 'anomaly-onset',
      resource: a.resource,
      summary: a.title,
      signal,
    });
    if (a.endMs !== undefined)
      timeline.push({
        timeMs: a.endMs,
        type: 'anomaly-end',
        resource: a.resource,
        summary: `ended: ${a.title}`,
        signal,
      });
  }
  for (const ref of related) {
    const events = await deps.store.listEvents({
      cluster: ref.cluster,
      kind: ref.kind,
      name: ref.name,
      fromMs: incident.startMs - EVENTS_BEFORE_MS,
      toMs: endMs + 1,
      limit: EVENTS_PER_RESOURCE,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
    });
    timeline.push(...events.map((e) => eventEntry(e, incident.startMs - EVENTS_BEFORE_MS)));
    if (CHANGE_KINDS.has(ref.kind))
      timeline.push(...(await changesOf(ref, deps.store, incident.startMs, endMs)));
  }
  timeline.sort((a, b) => a.timeMs - b.timeMs || ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  return {
    ...incident,
    timeline: timeline.slice(0, MAX_TIMELINE),
    anomalies,
    alerts: await deps.store.listAlerts({ incidentId: incident.id, limit: MAX_ALERTS }),
    recommendations: recommendationsFor(
      incident.id,
      incident.rootCauses,
      await deps.store.listFixActions({ incidentId: incident.id, limit: 200 }),
    ),
  };
}

function transitions(inc: Incident): TimelineEntry[] {
  const out: TimelineEntry[] = [
    { timeMs: inc.startMs, type: 'incident-opened', summary: `opened: ${inc.title}` },
  ];
  if (inc.updatedMs > inc.startMs && inc.updatedMs !== inc.resolvedMs) {
    out.push({
      timeMs: inc.updatedMs,
      type: 'incident-updated',
      summary: `last updated: ${inc.anomalyIds.length} anomalies on ${inc.resources.length} resources, severity ${inc.severity}`,
    });
  }
  if (inc.resolvedMs !== undefined)
    out.push({ timeMs: inc.resolvedMs, type: 'incident-resolved', summary: 'resolved: every anomaly ended' });
  return out;
}

function eventEntry(e: K8sEvent, fromMs: number): TimelineEntry {
  const repeated = e.count > 1 ? ` (${e.count} times until ${new Date(e.lastMs).toISOString()})` : '';
  return {
    timeMs: Math.max(e.firstMs, fromMs),
    type: 'event',
    resource: e.involved,
    summary: `${e.type} ${e.reason}: ${e.message}${repeated}`.slice(0, 2000),
    ...(e.id === undefined ? {} : { signal: { kind: 'event', ids: [e.id] } }),
  };
}

/** The incident's anomaly records, found by its window (per cluster, then per resource for any missed). */
async function anomaliesOf(inc: Incident, store: Store, endMs: number): Promise<Anomaly[]> {
  const wanted = new Set(inc.anomalyIds);
  const found = new Map<string, Anomaly>();
  const window = { fromMs: inc.startMs, toMs: endMs + 1, limit: 1000 };
  for (const cluster of new Set(inc.resources.map((r) => r.cluster))) {
    for (const a of await store.listAnomalies({ ...window, cluster }))
      if (wanted.has(a.id)) found.set(a.id, a);
  }
  if (found.size < wanted.size) {
    for (const resource of inc.resources.slice(0, 50)) {
      for (const a of await store.listAnomalies({ ...window, resource }))
        if (wanted.has(a.id)) found.set(a.id, a);
    }
  }
  return [...found.values()].sort((a, b) => a.onsetMs - b.onsetMs);
}

/** The incident's and its causes' resources, their owning workloads and the config they use. */
async function relatedResources(inc: Incident, topology: TopologySource): Promise<ResourceRef[]> {
  const out = new Map<string, ResourceRef>();
  const subjects = [...inc.resources, ...inc.rootCauses.map((c) => c.resource)];
  for (const r of subjects) out.set(refKey(r), r);
  const graphs = new Map<string, TopologyGraph | undefined>();
  for (const r of subjects) {
    if (!graphs.has(r.cluster)) graphs.set(r.cluster, await topology.graph(r.cluster).catch(() => undefined));
    const graph = graphs.get(r.cluster);
    if (!graph) continue;
    const key = refKey(r);
    const owner = graph.node(topOwner(key, graph));
    if (owner && !owner.missing) out.set(owner.key, owner.ref);
    for (const e of graph.neighbours(key).dependsOn) {
      if (e.kind !== 'uses_configmap' && e.kind !== 'uses_secret') continue;
      const config = graph.node(e.to);
      if (config && !config.missing) out.set(config.key, config.ref);
    }
  }
  return [...out.values()].slice(0, MAX_RELATED);
}

/** Changes to one object from shortly before the incident to its end, oldest first. */
async function changesOf(
  ref: ResourceRef,
  store: Store,
  startMs: number,
  endMs: number,
): Promise<TimelineEntry[]> {
  const fromMs = startMs - CHANGES_BEFORE_MS;
  const states = (await store.objectHistory(ref, { fromMs, toMs: endMs + 1, limit: 50 })).reverse();
  if (states.length === 0) return [];
  let previous = (await store.objectHistory(ref, { toMs: fromMs, limit: 1 }))[0];
  const out: TimelineEntry[] = [];
  for (const s of states) {
    // The first state Sleuth saw of an older object is not a change.
    const changes = previous || (createdMs(s) ?? 0) >= fromMs ? describeChange(previous, s) : [];
    if (changes.length > 0) {
      out.push({
        timeMs: s.timeMs,
        type: 'object-change',
        resource: s.ref,
        summary: `${s.ref.kind} ${s.ref.name}: ${changes.join('; ')}`,
        signal: { kind: 'object', ref: s.ref, timeMs: s.timeMs },
      });
    }
    previous = s;
  }
  return out;
}
