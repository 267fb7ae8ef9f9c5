import type { Alert, Anomaly, Incident, ResourceRef, SignalSource } from '@sleuth/core';
import type {
  AlertQuery,
  AnomalyQuery,
  EventQuery,
  FixActionQuery,
  IncidentQuery,
  LogQuery,
  NotificationQuery,
  ObjectQuery,
  RangeQuery,
  SeriesListQuery,
  SpanQuery,
  Store,
} from '@sleuth/store';
import { inScope, type Grant, type Scope } from './principal';

/** The filters a query may carry that a scope narrows. */
interface Place {
  cluster?: string | undefined;
  namespace?: string | undefined;
}

/**
 * The query with its place narrowed to the scope's only grant, or undefined when the place it
 * asks for is outside the scope (the answer is then empty). With several grants the query is left
 * as is and the results are filtered: pages may come back shorter than `limit`, never wider.
 */
export function narrow<Q extends Place>(scope: Scope, q: Q): Q | undefined {
  if (scope === 'all') return q;
  const grants = scope.filter(
    (g: Grant) =>
      (q.cluster === undefined || q.cluster === g.cluster) &&
      (q.namespace === undefined || g.namespace === undefined || q.namespace === g.namespace),
  );
  if (grants.length === 0) return undefined;
  if (grants.length > 1) return q;
  const g = grants[0]!;
  return { ...q, cluster: g.cluster, ...(g.namespace === undefined ? {} : { namespace: g.namespace }) };
}

export function sourceInScope(scope: Scope, s: SignalSource): boolean {
  return inScope(scope, s.cluster, s.namespace || undefined);
}

export function refInScope(scope: Scope, r: Pick<ResourceRef, 'cluster' | 'namespace'>): boolean {
  return inScope(scope, r.cluster, r.namespace);
}

/** An incident is visible when everything it names (resources and root causes) is in scope. */
export function incidentInScope(scope: Scope, i: Incident): boolean {
  if (scope === 'all') return true;
  return (
    i.resources.length > 0 &&
    i.resources.every((r) => refInScope(scope, r)) &&
    i.rootCauses.every((c) => refInScope(scope, c.resource))
  );
}

export function anomalyInScope(scope: Scope, a: Anomaly): boolean {
  return refInScope(scope, a.resource);
}

/**
 * An alert is visible when every object its labels name is in scope; one that names none belongs
 * to its cluster as a whole, so only a grant of the whole cluster sees it.
 */
export function alertInScope(scope: Scope, a: Alert): boolean {
  if (scope === 'all') return true;
  return a.resources.length > 0 ? a.resources.every((r) => refInScope(scope, r)) : inScope(scope, a.cluster);
}

/** Raw rows a filtered listing reads at most to fill one page; beyond it the page comes back short. */
export const MAX_SCANNED_ROWS = 20_000;

/**
 * One page of `limit` kept rows of a keyset-paged listing: reads the source's pages from `before`
 * on, keeping what `keep` allows, until the page is full, the source ends, or MAX_SCANNED_ROWS
 * were read. So a scoped listing pages like the unscoped one instead of stopping at the first page
 * the filter thinned.
 */
export async function keptPage<T, C>(
  limit: number,
  before: C | undefined,
  read: (before: C | undefined, limit: number) => Promise<T[]>,
  keep: (row: T) => boolean | Promise<boolean>,
  cursorOf: (row: T) => C,
): Promise<T[]> {
  const kept: T[] = [];
  let cursor = before;
  for (let scanned = 0; kept.length < limit && scanned < MAX_SCANNED_ROWS;) {
    const want = Math.min(Math.max(limit, 100), MAX_SCANNED_ROWS - scanned);
    const rows = await read(cursor, want);
    scanned += rows.length;
    for (const row of rows) {
      if (kept.length < limit && (await keep(row))) kept.push(row);
    }
    const last = rows.at(-1);
    if (rows.length < want || last === undefined) break;
    cursor = cursorOf(last);
  }
  return kept;
}

/**
 * The store as a scoped principal sees it: every read answers only data of the clusters and
 * namespaces the scope grants (a record outside it is as if it did not exist: absent from lists,
 * undefined by id). Writes pass through: routes that take scoped principals only read.
 */
export function scopedStore(store: Store, scope: Scope): Store {
  if (scope === 'all') return store;
  const empty = <T>(v: T) => Promise.resolve(v);
  return Object.assign(Object.create(store) as Store, {
    async searchLogs(q: LogQuery) {
      const n = narrow(scope, q);
      if (!n) return { records: [] };
      const page = await store.searchLogs(n);
      return { ...page, records: page.records.filter((r) => sourceInScope(scope, r.source)) };
    },
    async getLogs(ids: readonly string[]) {
      return (await store.getLogs(ids)).filter((r) => sourceInScope(scope, r.source));
    },
    async listSeries(q: SeriesListQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return (await store.listSeries(n)).filter((s) => sourceInScope(scope, s.source));
    },
    async querySeries(q: RangeQuery) {
      const n = narrow(scope, q);
      if (!n) return { series: [], truncated: false };
      const r = await store.querySeries(n);
      return { ...r, series: r.series.filter((s) => sourceInScope(scope, s.series.source)) };
    },
    async getTrace(traceId: string) {
      return (await store.getTrace(traceId)).filter((s) => sourceInScope(scope, s.source));
    },
    async searchSpans(q: SpanQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return (await store.searchSpans(n)).filter((s) => sourceInScope(scope, s.source));
    },
    async serviceCalls(q: Parameters<Store['serviceCalls']>[0]) {
      const calls = await store.serviceCalls(q);
      return calls.filter((c) => refInScope(scope, c.from) && refInScope(scope, c.to));
    },
    async listEvents(q: EventQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return (await store.listEvents(n)).filter((e) => inScope(scope, e.cluster, e.namespace));
    },
    async listObjects(q: ObjectQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return (await store.listObjects(n)).filter((o) => refInScope(scope, o.ref));
    },
    async getObject(ref: ResourceRef) {
      return refInScope(scope, ref) ? store.getObject(ref) : undefined;
    },
    async objectHistory(ref: ResourceRef, q: Parameters<Store['objectHistory']>[1]) {
      return refInScope(scope, ref) ? store.objectHistory(ref, q) : [];
    },
    async listAnomalies(q: AnomalyQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return (await store.listAnomalies(n)).filter((a) => anomalyInScope(scope, a));
    },
    async getIncident(id: string) {
      const i = await store.getIncident(id);
      return i && incidentInScope(scope, i) ? i : undefined;
    },
    async listIncidents(q: IncidentQuery) {
      const n = narrow(scope, q);
      if (!n) return empty([]);
      return keptPage(
        n.limit ?? 100,
        n.before,
        (before, limit) => store.listIncidents({ ...n, limit, ...(before ? { before } : {}) }),
        (i) => incidentInScope(scope, i),
        (i) => ({ updatedMs: i.updatedMs, id: i.id }),
      );
    },
    async getAlerts(ids: readonly string[]) {
      return (await store.getAlerts(ids)).filter((a) => alertInScope(scope, a));
    },
    async listAlerts(q: AlertQuery) {
      return keptPage(
        q.limit ?? 100,
        q.before,
        (before, limit) => store.listAlerts({ ...q, limit, ...(before ? { before } : {}) }),
        (a) => alertInScope(scope, a),
        (a) => ({ updatedMs: a.updatedMs, id: a.id }),
      );
    },
    // Notifications and fix actions belong to their incident: visible when it is.
    async listNotifications(q: NotificationQuery) {
      const visible = incidentVisibility(store, scope);
      return keptPage(
        q.limit ?? 100,
        q.before,
        (before, limit) => store.listNotifications({ ...q, limit, ...(before ? { before } : {}) }),
        (d) => visible(d.incidentId),
        (d) => ({ createdMs: d.createdMs, id: d.id }),
      );
    },
    async listFixActions(q: FixActionQuery) {
      const visible = incidentVisibility(store, scope);
      return keptPage(
        q.limit ?? 100,
        q.before,
        (before, limit) => store.listFixActions({ ...q, limit, ...(before ? { before } : {}) }),
        (a) => visible(a.incidentId),
        (a) => ({ atMs: a.atMs, id: a.id }),
      );
    },
    // A stored investigation is the fleet-wide investigator's answer, which may cite data beyond
    // the scope: a scoped principal gets its own, run over its scope (scope-views.ts).
    getInvestigation() {
      return empty(undefined);
    },
    listInvestigations() {
      return empty([]);
    },
  });
}

/** Whether an incident (by id) is in scope, each incident looked up once. */
function incidentVisibility(store: Store, scope: Scope): (id: string) => Promise<boolean> {
  const seen = new Map<string, Promise<boolean>>();
  return (id) => {
    let v = seen.get(id);
    if (!v) {
      v = store.getIncident(id).then((i) => i !== undefined && incidentInScope(scope, i));
      seen.set(id, v);
    }
    return v;
  };
}
