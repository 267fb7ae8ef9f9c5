import { z } from 'zod';

const secret = z.string().min(8).max(4096);

/** How a receiver checks that a delivery comes from its sender. */
const HmacSchema = z
  .object({
    secret: secret.optional().describe('The shared secret (UTF-8), at least 8 characters.'),
    secretFile: z
      .string()
      .min(1)
      .optional()
      .describe('A file holding the secret (trailing newline ignored).'),
    header: z
      .string()
      .min(1)
      .max(200)
      .default('X-Sleuth-Signature')
      .describe(
        'Header carrying the lower-case hex HMAC-SHA256 of the body (a `sha256=` prefix is accepted); Grafana: X-Grafana-Alerting-Signature.',
      ),
    timestampHeader: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'Header carrying Unix seconds; when set, the signed text is `timestamp:body` and deliveries older than maxSkewSeconds are refused (replay protection).',
      ),
    maxSkewSeconds: z.number().int().min(1).max(86_400).default(300),
  })
  .strict()
  .refine((h) => (h.secret === undefined) !== (h.secretFile === undefined), {
    message: 'set exactly one of hmac.secret and hmac.secretFile',
  });

/** A generic JSON webhook: where each field of an alert is, as dotted paths into the body. */
const GenericMappingSchema = z
  .object({
    alerts: z
      .string()
      .max(200)
      .default('alerts')
      .describe('Path of the array of alerts; empty: the body is one alert.'),
    name: z.string().min(1).max(200).default('labels.alertname').describe('Path of the alert name.'),
    status: z.string().min(1).max(200).default('status').describe('Path of the status.'),
    resolvedValues: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .default(['resolved', 'ok', 'closed', 'recovered'])
      .describe('Status values (case-insensitive) meaning resolved; any other value means firing.'),
    fingerprint: z
      .string()
      .max(200)
      .default('fingerprint')
      .describe('Path of the alert id; absent in the body: a hash of name and labels.'),
    startsAt: z
      .string()
      .min(1)
      .max(200)
      .default('startsAt')
      .describe('Path of the start time: RFC 3339, or Unix seconds or milliseconds.'),
    endsAt: z.string().max(200).default('endsAt').describe('Path of the end time (resolved alerts).'),
    labels: z.string().max(200).default('labels').describe('Path of an object of labels.'),
    annotations: z.string().max(200).default('annotations').describe('Path of an object of annotations.'),
  })
  .strict();

export const AlertReceiverSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _')
      .describe('Its URL: POST /api/v1/alerts/NAME.'),
    source: z.enum(['alertmanager', 'grafana', 'generic']),
    cluster: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('Cluster of alerts without a cluster label; default: the only cluster Sleuth knows.'),
    clusterLabel: z.string().min(1).max(200).default('cluster').describe('Label naming the cluster.'),
    bearerToken: secret.optional().describe('Expected `Authorization: Bearer` token.'),
    bearerTokenFile: z.string().min(1).optional().describe('A file holding the bearer token.'),
    hmac: HmacSchema.optional(),
    allowUnauthenticated: z
      .boolean()
      .default(false)
      .describe('Accept deliveries without credentials (only for a server bound to loopback).'),
    mapping: GenericMappingSchema.optional().describe('generic only: where the fields are.'),
  })
  .strict();
export type AlertReceiverConfig = z.infer<typeof AlertReceiverSchema>;

export const NotificationChannelSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
    type: z
      .enum(['slack', 'webhook'])
      .describe('slack: an incoming webhook (Block Kit message). webhook: JSON POST of the incident.'),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Where to POST (secret for Slack).'),
    urlFile: z.string().min(1).optional().describe('A file holding the URL.'),
    headers: z
      .record(z.string().min(1).max(200), z.string().max(4096))
      .default({})
      .describe('Extra headers (webhook), e.g. Authorization.'),
    events: z
      .array(z.enum(['opened', 'diagnosed', 'resolved']))
      .min(1)
      .default(['opened', 'diagnosed', 'resolved']),
    minSeverity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    alertsOnly: z
      .boolean()
      .default(false)
      .describe('Only incidents an alert started or joined; default every incident of minSeverity.'),
    maxAttempts: z.number().int().min(1).max(20).default(6),
    timeoutSeconds: z.number().positive().max(120).default(10),
  })
  .strict();
export type NotificationChannelConfig = z.infer<typeof NotificationChannelSchema>;

/** `alerts`: webhook receivers (Alertmanager, Grafana, generic JSON) and notifications out. */
export const AlertsConfigSchema = z
  .object({
    receivers: z
      .array(AlertReceiverSchema)
      .max(100)
      .default([])
      .describe('Alert webhook receivers (config file only; see docs/alerts.md).'),
    notifications: z
      .array(NotificationChannelSchema)
      .max(100)
      .default([])
      .describe('Where diagnoses are sent (config file only; see docs/alerts.md).'),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("Sleuth's URL as people reach it, for links in notifications; default the listen address."),
    maxAlertsPerDelivery: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(5000)
      .describe('Alerts one delivery may carry; a larger one gets 400.'),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(8 * 1024 * 1024)
      .describe('Largest webhook body accepted (413 beyond).'),
    maxPendingAlerts: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(20_000)
      .describe('Alerts stored but not yet correlated; beyond this, deliveries get 429 with Retry-After.'),
    staleAfterHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(24)
      .describe(
        'A firing alert not delivered again for this long counts as ended (Alertmanager repeats firing alerts every repeat_interval, 4 h by default).',
      ),
  })
  .strict()
  .superRefine((a, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const seen = { receivers: new Set<string>(), notifications: new Set<string>() };
    const once = (list: 'receivers' | 'notifications', i: number, name: string, what: string) => {
      if (seen[list].has(name)) problem([list, i, 'name'], `${what} ${name} is defined twice`);
      seen[list].add(name);
    };
    a.receivers.forEach((r, i) => {
      once('receivers', i, r.name, 'receiver');
      const auth = [r.bearerToken, r.bearerTokenFile, r.hmac].filter((x) => x !== undefined).length;
      if (auth === 0 && !r.allowUnauthenticated)
        problem(
          ['receivers', i],
          `receiver ${r.name} needs bearerToken, bearerTokenFile or hmac (or allowUnauthenticated: true)`,
        );
      if (r.bearerToken !== undefined && r.bearerTokenFile !== undefined)
        problem(['receivers', i], 'set bearerToken or bearerTokenFile, not both');
      if (r.mapping !== undefined && r.source !== 'generic')
        problem(['receivers', i, 'mapping'], 'mapping applies to source: generic only');
    });
    a.notifications.forEach((n, i) => {
      once('notifications', i, n.name, 'channel');
      if ((n.url === undefined) === (n.urlFile === undefined))
        problem(['notifications', i], 'set exactly one of url and urlFile');
    });
  })
  .prefault({});
