import type { Alert, Incident, NotificationEvent, ResourceRef, RootCause } from '@sleuth/core';

/** What a notification says: the incident, its top root cause, the alerts in it, and where to look. */
export interface NotificationContent {
  event: NotificationEvent;
  incident: Incident;
  alerts: Alert[];
  /** Where a person opens the incident. */
  url: string;
}

const SEVERITY_LABEL: Record<Incident['severity'], string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

const EVENT_LABEL: Record<NotificationEvent, string> = {
  opened: 'Incident opened',
  diagnosed: 'Diagnosis updated',
  resolved: 'Incident resolved',
};

export function topCause(incident: Incident): RootCause | undefined {
  return [...incident.rootCauses].sort((a, b) => a.rank - b.rank)[0];
}

function refText(r: ResourceRef): string {
  return `${r.namespace ? `${r.namespace}/` : ''}${r.kind}/${r.name} (cluster ${r.cluster})`;
}

/** Slack mrkdwn treats &, < and > as markup: escape them in text that came from signals. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A Slack incoming-webhook message (Block Kit, with `text` as the fallback shown in
 * notifications): severity and title, the top root cause with its confidence and resource, the
 * first recommended step and confirming command, the alerts, and a link to the incident.
 */
export function slackMessage(c: NotificationContent): Record<string, unknown> {
  const inc = c.incident;
  const cause = topCause(inc);
  // People know their alerts by name: lead with it when the title does not say it.
  const alertName = c.alerts[0]?.name;
  const title = alertName && !inc.title.includes(alertName) ? `${alertName} — ${inc.title}` : inc.title;
  const head = `${SEVERITY_LABEL[inc.severity]} · ${EVENT_LABEL[c.event]}: ${title}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(head, 150) } },
  ];
  if (cause) {
    const lines = [
      `*Root cause* (${Math.round(cause.confidence * 100)}% confidence, ${cause.origin === 'llm' ? 'LLM investigator' : 'rule engine'}): ${esc(clip(cause.hypothesis, 1500))}`,
      `*Resource*: \`${esc(refText(cause.resource))}\``,
    ];
    const step = cause.remediation?.steps[0];
    const command = cause.remediation?.commands[0];
    if (step) lines.push(`*Next step*: ${esc(clip(step, 500))}`);
    if (command) lines.push(`*Confirm*: \`${esc(clip(command, 300))}\``);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 2900) } });
  } else if (inc.status === 'open') {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Root cause*: no analyzer has named one yet; the evidence so far is in the incident.',
      },
    });
  }
  const alerts = c.alerts.slice(0, 5).map((a) => `• ${esc(a.name)} (${a.status})`);
  if (c.alerts.length > 5) alerts.push(`• and ${c.alerts.length - 5} more`);
  const fields = [
    { type: 'mrkdwn', text: `*Status*\n${inc.status}` },
    { type: 'mrkdwn', text: `*Started*\n${new Date(inc.startMs).toISOString()}` },
  ];
  if (inc.resolvedMs !== undefined)
    fields.push({ type: 'mrkdwn', text: `*Resolved*\n${new Date(inc.resolvedMs).toISOString()}` });
  blocks.push({ type: 'section', fields });
  if (alerts.length > 0)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Alerts*\n${alerts.join('\n')}`, 2900) },
    });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${c.url}|Open incident ${inc.id}>` } });
  const fallback = `${head}${cause ? ` (${Math.round(cause.confidence * 100)}% confidence)` : ''} ${c.url}`;
  return { text: fallback, blocks };
}

/** The generic webhook's JSON: everything a receiving system needs to file or route it. */
export function webhookMessage(c: NotificationContent): Record<string, unknown> {
  const inc = c.incident;
  const cause = topCause(inc);
  return {
    version: 1,
    event: c.event,
    url: c.url,
    incident: {
      id: inc.id,
      title: inc.title,
      status: inc.status,
      severity: inc.severity,
      startMs: inc.startMs,
      updatedMs: inc.updatedMs,
      ...(inc.resolvedMs !== undefined ? { resolvedMs: inc.resolvedMs } : {}),
      resources: inc.resources.slice(0, 50),
    },
    ...(cause
      ? {
          rootCause: {
            failureMode: cause.failureMode,
            resource: cause.resource,
            hypothesis: cause.hypothesis,
            confidence: cause.confidence,
            origin: cause.origin,
            ...(cause.remediation ? { remediation: cause.remediation } : {}),
          },
        }
      : {}),
    alerts: c.alerts.slice(0, 50).map((a) => ({
      id: a.id,
      name: a.name,
      status: a.status,
      receiver: a.receiver,
      labels: a.labels,
      startsAt: a.startsAt,
      ...(a.endsAt !== undefined ? { endsAt: a.endsAt } : {}),
    })),
  };
}
