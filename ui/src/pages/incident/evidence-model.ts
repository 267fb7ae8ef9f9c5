/**
 * Where each kind of evidence lives in the UI: log lines on the logs page (exactly those ids), a
 * series window on the metrics page, an alert on the alerts page; events, object fields, traces
 * and anomalies are shown on the incident page itself.
 */
import type { Anomaly, SignalRef } from '../../lib/api/types';
import { resourceName } from '../../lib/format';

/** The logs page showing exactly these lines. Commas stay readable: ids never hold one. */
export function logsHref(ids: readonly string[]): string {
  return `/logs?ids=${ids.map(encodeURIComponent).join(',')}`;
}

/** The metrics page on one series (`l.LABEL=VALUE` per label) over a window. */
export function seriesHref(s: {
  name: string;
  labels: Record<string, string>;
  fromMs: number;
  toMs: number;
}): string {
  const params = new URLSearchParams({ name: s.name });
  for (const [k, v] of Object.entries(s.labels)) params.set(`l.${k}`, v);
  params.set('from', String(Math.round(s.fromMs)));
  params.set('to', String(Math.round(s.toMs)));
  return `/series?${params.toString()}`;
}

export function alertHref(id: string): string {
  return `/alerts?id=${encodeURIComponent(id)}`;
}

/** The element id of an anomaly's entry in the timeline, for links and scrolling. */
export function anomalyAnchor(id: string): string {
  return `anomaly-${id}`;
}

/** `name{k="v",…}`, as Prometheus writes a series. */
export function seriesName(s: { name: string; labels: Record<string, string> }): string {
  const labels = Object.entries(s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return labels ? `${s.name}{${labels}}` : s.name;
}

/** A short phrase for what a signal points at, for accessible names ("2 log lines"). */
export function signalPhrase(s: SignalRef, anomalies: readonly Anomaly[] = []): string {
  switch (s.kind) {
    case 'log':
      return `${s.ids.length} log line${s.ids.length === 1 ? '' : 's'}`;
    case 'series':
      return `series ${s.name}`;
    case 'event':
      return `${s.ids.length} Kubernetes event${s.ids.length === 1 ? '' : 's'}`;
    case 'object':
      return s.field ? `${s.field} of ${resourceName(s.ref)}` : resourceName(s.ref);
    case 'trace':
      return `trace ${s.traceId}`;
    case 'anomaly': {
      const a = anomalies.find((x) => x.id === s.id);
      return a ? `anomaly "${a.title}"` : `anomaly ${s.id}`;
    }
    case 'alert':
      return `alert ${s.id}`;
  }
}

/** A field value as text: strings as they are, everything else as JSON (indented when nested). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return typeof v === 'object' && v !== null ? JSON.stringify(v, null, 2) : JSON.stringify(v);
}
