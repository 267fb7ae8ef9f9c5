import { createHash } from 'node:crypto';
import type { Alert, Anomaly, ResourceRef } from '@sleuth/core';

const SOURCE_NAMES: Record<Alert['source'], string> = {
  alertmanager: 'Alertmanager',
  grafana: 'Grafana',
  generic: 'webhook',
};

/** How strongly an alert's severity label says something is wrong (an anomaly's score). */
export function severityScore(severity: string | undefined): number {
  switch (severity) {
    case 'critical':
    case 'page':
    case 'emergency':
    case 'fatal':
    case 'p1':
      return 0.9;
    case 'error':
    case 'high':
    case 'major':
    case 'p2':
      return 0.8;
    case 'info':
    case 'informational':
    case 'low':
    case 'minor':
    case 'none':
    case 'p4':
    case 'p5':
      return 0.3;
    default:
      // warning, medium, p3, and alerts without a severity.
      return 0.6;
  }
}

/** The id of an alert instance: receiver, fingerprint and start time. */
export function alertId(receiver: string, fingerprint: string, startsAt: number): string {
  const h = createHash('sha256').update(`${receiver}\u0000${fingerprint}\u0000${startsAt}`);
  return `alt_${h.digest('hex').slice(0, 24)}`;
}

/** The incident group of a notification group: one per receiver and group key. */
export function alertGroup(receiver: string, groupKey: string): string {
  return `alerts:${receiver}:${createHash('sha256').update(groupKey).digest('hex').slice(0, 24)}`;
}

function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/**
 * An alert as the correlator sees it: an anomaly of detector `alert` on the alert's most specific
 * resource (the cluster when its labels name nothing known), open while the alert fires, scored
 * by its severity label, grouped with the rest of its notification group. Its evidence is the
 * alert itself (`{ kind: 'alert', id }`), which the API serves with labels and annotations.
 */
export function alertAnomaly(alert: Alert): Anomaly {
  const { cluster } = alert;
  const resource: ResourceRef = alert.resources[0] ?? { cluster, kind: 'Cluster', name: cluster };
  const summary = alert.annotations.summary ?? alert.annotations.message ?? alert.annotations.title;
  const description = alert.annotations.description ?? summary ?? '';
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const where = alert.resources[0] ? ` on ${describe(resource)}` : '';
  const title = `${alert.name}${where}${summary ? `: ${summary}` : ''}`;
  const explanation =
    `${SOURCE_NAMES[alert.source]} alert ${alert.name} (receiver ${alert.receiver}) ` +
    `${alert.status === 'firing' ? 'has been firing' : 'fired'} since ${new Date(alert.startsAt).toISOString()}` +
    `${alert.endsAt !== undefined ? ` until ${new Date(alert.endsAt).toISOString()}` : ''}.` +
    `${description ? ` ${description}` : ''}${labels ? ` Labels: ${labels}.` : ''}` +
    `${alert.generatorUrl ? ` Source: ${alert.generatorUrl}` : ''}`;
  return {
    id: alert.id,
    detector: 'alert',
    resource,
    signal: { kind: 'alert', id: alert.id },
    onsetMs: alert.startsAt,
    lastSeenMs: Math.max(alert.startsAt, alert.endsAt ?? alert.updatedMs),
    ...(alert.endsAt !== undefined ? { endMs: Math.max(alert.startsAt, alert.endsAt) } : {}),
    score: severityScore(alert.severity),
    title: title.slice(0, 500),
    explanation: explanation.slice(0, 4000),
    ...(alert.groupKey !== undefined ? { group: alertGroup(alert.receiver, alert.groupKey) } : {}),
  };
}
