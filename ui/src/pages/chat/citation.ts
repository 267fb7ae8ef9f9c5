import type { SignalRef } from '../../lib/api/types';
import { formatTime, resourceName } from '../../lib/format';

/** Where a citation leads: a page of the UI holding the evidence, and what the link says. */
export interface CitationTarget {
  /** An in-app URL, or undefined when no page shows that evidence (the label describes it then). */
  href: string | undefined;
  /** What the evidence is, in a few words (`3 log lines`, `container_memory… 12:01–12:05`). */
  label: string;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function query(params: [string, string][]): string {
  const p = new URLSearchParams();
  for (const [k, v] of params) p.append(k, v);
  return p.toString();
}

/**
 * The link for one piece of cited evidence. Logs open the logs page on those lines, a series opens
 * the metrics page on that name, labels and window, an alert opens the alerts page on it; events,
 * objects and anomalies have no page of their own and open the incident the conversation is about
 * when there is one.
 */
export function citationTarget(signal: SignalRef, incidentId?: string): CitationTarget {
  const incident = incidentId ? `/incidents/${encodeURIComponent(incidentId)}` : undefined;
  switch (signal.kind) {
    case 'log':
      return {
        href: signal.ids.length > 0 ? `/logs?ids=${signal.ids.map(encodeURIComponent).join(',')}` : undefined,
        label: plural(signal.ids.length, 'log line'),
      };
    case 'series': {
      const labels = Object.entries(signal.labels);
      const selector = labels.length ? `{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '';
      return {
        href: `/series?${query([
          ['name', signal.name],
          ...labels.map(([k, v]): [string, string] => [`l.${k}`, v]),
          ['from', String(signal.fromMs)],
          ['to', String(signal.toMs)],
        ])}`,
        label: `${signal.name}${selector} ${formatTime(signal.fromMs)}–${formatTime(signal.toMs)}`,
      };
    }
    case 'event':
      return {
        href: incident,
        label: `${plural(signal.ids.length, 'Kubernetes event')} (${signal.ids.join(', ')})`,
      };
    case 'object':
      return {
        href: incident,
        label: `${resourceName(signal.ref)}${signal.field ? ` ${signal.field}` : ''} at ${formatTime(signal.timeMs)}`,
      };
    case 'anomaly':
      return { href: incident, label: `anomaly ${signal.id}` };
    case 'alert':
      return { href: `/alerts?${query([['id', signal.id]])}`, label: `alert ${signal.id}` };
    case 'trace':
      return {
        href: undefined,
        label: `trace ${signal.traceId}${signal.spanId ? ` span ${signal.spanId}` : ''}`,
      };
  }
}
