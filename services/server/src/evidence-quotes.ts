import { valueAt, type Evidence, type ResourceRef } from '@sleuth/core';
import type { Store } from '@sleuth/store';

/** Most quoted lines per piece of evidence. */
const MAX_QUOTES = 5;
const MAX_TEXT = 400;

const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

/**
 * The evidence itself, as a person reads it next to the summary: the log lines quoted, the events
 * with their message and count, the object field with its current value, the series window. Items
 * the store no longer holds (retention) are left out.
 */
export async function quoteEvidence(store: Store, e: Evidence, about: ResourceRef): Promise<string[]> {
  const s = e.signal;
  switch (s.kind) {
    case 'log': {
      const logs = await store.getLogs(s.ids.slice(0, MAX_QUOTES));
      return logs
        .sort((a, b) => a.timeMs - b.timeMs)
        .map((l) => clip(`${new Date(l.timeMs).toISOString()} ${l.source.container ?? ''}: ${l.body}`));
    }
    case 'event': {
      const wanted = new Set(s.ids);
      const where = { cluster: about.cluster, ...(about.namespace ? { namespace: about.namespace } : {}) };
      // Usually the events are about the cause's resource; else they are near it, in its namespace.
      let events = (
        await store.listEvents({ ...where, kind: about.kind, name: about.name, limit: 1000 })
      ).filter((ev) => ev.id !== undefined && wanted.has(ev.id));
      if (events.length === 0) {
        events = (await store.listEvents({ ...where, limit: 1000 })).filter(
          (ev) => ev.id !== undefined && wanted.has(ev.id),
        );
      }
      return events
        .slice(0, MAX_QUOTES)
        .map((ev) =>
          clip(
            `${ev.type} ${ev.reason} on ${ev.involved.kind} ${ev.involved.name}` +
              `${ev.count > 1 ? ` (×${ev.count}, last ${new Date(ev.lastMs).toISOString()})` : ''}: ${ev.message}`,
          ),
        );
    }
    case 'object': {
      if (s.field === undefined) return [`${s.ref.kind} ${s.ref.name}`];
      const snap = await store.getObject(s.ref);
      const value = snap ? valueAt(snap.object, s.field) : undefined;
      return value === undefined ? [] : [clip(`${s.field} = ${JSON.stringify(value)}`)];
    }
    case 'series': {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      return [`${s.name}{${labels}} ${new Date(s.fromMs).toISOString()} … ${new Date(s.toMs).toISOString()}`];
    }
    case 'trace':
      return [`trace ${s.traceId}${s.spanId ? ` span ${s.spanId}` : ''}`];
    case 'anomaly':
      return [`anomaly ${s.id}`];
    case 'alert':
      return [`alert ${s.id}`];
  }
}
