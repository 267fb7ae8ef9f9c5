import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError, type FrozenConfig } from '@sleuth/core';

/** One configured alert receiver (`alerts.receivers[]`). */
export type ReceiverConfig = FrozenConfig['alerts']['receivers'][number];

/** One alert as a webhook carried it, in Sleuth's terms, before it is matched to resources. */
export interface IncomingAlert {
  fingerprint: string;
  name: string;
  status: 'firing' | 'resolved';
  startsAt: number;
  /** The sender gave no start time: `startsAt` is the receive time, unless an instance is firing. */
  startAssumed?: boolean;
  endsAt?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl?: string;
}

/** A delivery's good alerts, the ones it had to leave out and why, and its notification group. */
export interface IncomingDelivery {
  alerts: IncomingAlert[];
  rejected: { index: number; problem: string }[];
  /** The sender's group key when the group is defined by labels (`{}` groups say nothing). */
  groupKey?: string;
  /** Alerts the sender left out of the delivery (Alertmanager's max_alerts). */
  truncatedAlerts: number;
}

const MAX_LABELS = 200;
const Labels = z
  .record(z.string().min(1).max(1024), z.string().max(16_384))
  .refine((r) => Object.keys(r).length <= MAX_LABELS, `at most ${MAX_LABELS} entries`);

/** RFC 3339 as Go writes it (nanoseconds, offsets); Go's zero time means "not set". */
const Time = z
  .string()
  .max(64)
  .refine((s) => Number.isFinite(Date.parse(s)), 'not an RFC 3339 time');

function timeOf(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const ms = Date.parse(s);
  // Go's zero time (0001-01-01T00:00:00Z) and anything before 1970 mean "unset".
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Alertmanager's webhook alert (payload version 4); Grafana's adds fields kept aside here. */
const WebhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: Time,
  endsAt: Time.optional(),
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().max(200).optional(),
});

const Envelope = z.looseObject({
  receiver: z.string().max(1000).optional(),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(z.unknown()),
  groupLabels: Labels.default({}),
  groupKey: z.string().max(4096).optional(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
});

/** The labels' fingerprint when a sender gave none: stable over label order. */
export function labelFingerprint(name: string, labels: Record<string, string>): string {
  const h = createHash('sha256').update(name);
  for (const k of Object.keys(labels).sort()) h.update(`\u0000${k}\u0000${labels[k]}`);
  return h.digest('hex').slice(0, 16);
}

function problemsOf(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path.map(String)].filter((p) => p !== '').join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * Reads an Alertmanager (version 4) or Grafana alerting webhook body. A body that is not such a
 * payload throws ValidationError naming the field; an alert in it that is malformed is left out
 * and reported in `rejected`, the others are kept.
 */
export function parseWebhookPayload(
  body: unknown,
  source: 'alertmanager' | 'grafana',
  maxAlerts: number,
): IncomingDelivery {
  const env = Envelope.safeParse(body);
  if (!env.success) throw new ValidationError(problemsOf(env.error, ''), { source });
  const version = (body as { version?: unknown }).version;
  if (source === 'alertmanager' && version !== '4') {
    throw new ValidationError(
      `version: expected "4" (the Alertmanager webhook payload version), got ${JSON.stringify(version)}`,
    );
  }
  if (env.data.alerts.length > maxAlerts) {
    throw new ValidationError(
      `alerts: ${env.data.alerts.length} alerts, more than the ${maxAlerts} allowed`,
      {
        limit: maxAlerts,
      },
    );
  }
  const out: IncomingDelivery = {
    alerts: [],
    rejected: [],
    truncatedAlerts: env.data.truncatedAlerts,
    ...(env.data.groupKey && Object.keys(env.data.groupLabels).length > 0
      ? { groupKey: env.data.groupKey }
      : {}),
  };
  env.data.alerts.forEach((raw, index) => {
    const a = WebhookAlert.safeParse(raw);
    if (!a.success) {
      out.rejected.push({ index, problem: problemsOf(a.error, `alerts.${index}`) });
      return;
    }
    const startsAt = timeOf(a.data.startsAt);
    if (startsAt === undefined) {
      out.rejected.push({ index, problem: `alerts.${index}.startsAt: not set` });
      return;
    }
    // An empty label is an absent one in Prometheus; an alert needs a name.
    const name = a.data.labels.alertname || 'alert';
    const endsAt = a.data.status === 'resolved' ? timeOf(a.data.endsAt) : undefined;
    out.alerts.push({
      fingerprint: a.data.fingerprint || labelFingerprint(name, a.data.labels),
      name: name.slice(0, 500),
      status: a.data.status,
      startsAt,
      ...(endsAt !== undefined ? { endsAt } : {}),
      labels: a.data.labels,
      annotations: a.data.annotations,
      ...(a.data.generatorURL ? { generatorUrl: a.data.generatorURL } : {}),
    });
  });
  return out;
}
