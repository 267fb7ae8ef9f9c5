import { z } from 'zod';
import { ResourceRef } from './resource';
import { EpochMsSchema } from './signals';

/** Where an alert came from: the webhook format it arrived in. */
export const AlertSource = z.enum(['alertmanager', 'grafana', 'generic']);
export type AlertSource = z.infer<typeof AlertSource>;

const Labels = z.record(z.string().max(1024), z.string().max(16_384));

/**
 * One alert instance as Sleuth received it: an alert with given labels (its `fingerprint`) that
 * started firing at `startsAt`. It is identified by receiver, fingerprint and startsAt, so the
 * same alert delivered again (Alertmanager repeats firing alerts in every group notification)
 * updates this record instead of making another; a rule that fires again later is a new instance.
 */
export const Alert = z.object({
  /** `alt_` + a hash of receiver, fingerprint and startsAt. */
  id: z.string().min(1).max(200),
  /** The configured receiver it came through. */
  receiver: z.string().min(1).max(100),
  source: AlertSource,
  /** The sender's fingerprint of the label set (computed from the labels when it sent none). */
  fingerprint: z.string().min(1).max(200),
  /** The `alertname` label (or the generic mapping's name). */
  name: z.string().min(1).max(500),
  status: z.enum(['firing', 'resolved']),
  /** The `severity` label when there is one, lower case. */
  severity: z.string().max(100).optional(),
  startsAt: EpochMsSchema,
  /** When it resolved; absent while firing. */
  endsAt: EpochMsSchema.optional(),
  labels: Labels,
  annotations: Labels,
  generatorUrl: z.string().max(4096).optional(),
  /** The sender's notification group, when it has one: alerts of one group are one incident. */
  groupKey: z.string().max(4096).optional(),
  /** Its cluster: the receiver's cluster label, else the receiver's `cluster`, else the only one known. */
  cluster: z.string().min(1).max(253),
  /** The objects its labels name, as found in the topology (most specific first); may be empty. */
  resources: z.array(ResourceRef).max(20),
  /**
   * Set when Sleuth ended it because no delivery came for `alerts.staleAfterHours` (the sender
   * never said it resolved): `endsAt` is then the last delivery.
   */
  expired: z.literal(true).optional(),
  /** The incident it joined or opened, once correlated. */
  incidentId: z.string().max(200).optional(),
  receivedMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
  /** Deliveries of this instance received, duplicates included. */
  deliveries: z.number().int().positive(),
});
export type Alert = z.infer<typeof Alert>;

/** Which change of an incident a notification tells of. */
export const NotificationEvent = z.enum(['opened', 'diagnosed', 'resolved']);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/**
 * One notification Sleuth sends about an incident to one channel (a Slack incoming webhook, a
 * generic webhook), with its delivery state: pending until the channel accepts it, retried with
 * backoff, failed once the attempts are spent.
 */
export const NotificationDelivery = z.object({
  /** `ntf_` + a hash of channel, incident, event and the diagnosis it carries. */
  id: z.string().min(1).max(200),
  channel: z.string().min(1).max(100),
  incidentId: z.string().min(1).max(200),
  event: NotificationEvent,
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().nonnegative(),
  /** The HTTP status of the last attempt, when there was a response. */
  lastStatusCode: z.number().int().optional(),
  lastError: z.string().max(2000).optional(),
  /** When the next attempt is due (pending only). */
  nextAttemptMs: EpochMsSchema.optional(),
  createdMs: EpochMsSchema,
  updatedMs: EpochMsSchema,
  deliveredMs: EpochMsSchema.optional(),
  /** The payload as sent (JSON text), so a retry after a restart sends the same message. */
  payload: z.string().max(256 * 1024),
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;
