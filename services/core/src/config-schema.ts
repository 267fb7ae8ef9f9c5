import { z } from 'zod';
import { AgentConfigSchema, KubernetesConfigSchema } from './config-kubernetes';
import { AlertsConfigSchema } from './config-alerts';
import { AuthConfigSchema } from './config-auth';
import { LlmConfigSchema } from './config-llm';
import { PrometheusConfigSchema } from './config-prometheus';
import { RemediationConfigSchema } from './config-remediation';

/**
 * Every setting Sleuth reads, with its default. Each leaf can be set in the config file (YAML or
 * JSON) or by an environment variable derived from its path: `store.retention.maxAgeHours` is
 * `SLEUTH_STORE_RETENTION_MAX_AGE_HOURS`. docs/configuration.md is generated from this schema.
 */
export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server binds to.'),
        port: z.number().int().min(0).max(65535).default(7070).describe('HTTP port (0 picks a free one).'),
        maxRequestBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024)
          .describe('Largest request body accepted, before decompression; larger answers 413.'),
        maxDecompressedBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024)
          .describe('Largest body accepted after gzip decompression; larger answers 413.'),
        publicUrl: z
          .string()
          .url()
          .optional()
          .describe('URL people use to reach Sleuth (links in notifications).'),
        trustProxy: z
          .boolean()
          .default(false)
          .describe(
            'Believe X-Forwarded-For/-Proto from a reverse proxy in front of Sleuth (client addresses for rate limits and audit, https for cookies).',
          ),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        kind: z.enum(['sqlite']).default('sqlite').describe('Store implementation.'),
        dataDir: z
          .string()
          .min(1)
          .default('.data')
          .describe('Folder for the SQLite database and other state.'),
        synchronous: z
          .enum(['normal', 'full'])
          .default('normal')
          .describe(
            'SQLite durability: normal keeps acknowledged data through a process crash; full also through power loss.',
          ),
        retentionMaxAgeHours: z
          .number()
          .positive()
          .default(72)
          .describe('Signals older than this are deleted in the background.'),
        retentionMaxSizeMb: z
          .number()
          .positive()
          .default(4096)
          .describe('When the database grows past this, the oldest signals are deleted first.'),
        retentionIntervalSeconds: z.number().positive().default(60).describe('How often retention runs.'),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        queueMaxRecords: z
          .number()
          .int()
          .positive()
          .default(200_000)
          .describe('Records accepted but not yet written; beyond this receivers answer 429.'),
        writeBatchMaxRecords: z
          .number()
          .int()
          .positive()
          .default(20_000)
          .describe('Most records written in one store transaction (group commit).'),
        maxRecordsPerRequest: z
          .number()
          .int()
          .positive()
          .max(1_000_000)
          .default(100_000)
          .describe(
            "Most log records, metric data points or spans in one OTLP request, and most resource, scope and metric entries; histogram bucket counts and bounds and summary quantiles (each a stored sample) may number ten times it. More answers 413 (lower the sender's batch size: the Collector batch processor's send_batch_max_size). Counted while the body is decoded, before records are built: a body of empty records costs about 170 bytes of heap per byte, so the body size limits alone do not bound memory.",
          ),
        maxAttributesPerRecord: z
          .number()
          .int()
          .nonnegative()
          .max(100_000)
          .default(128)
          .describe(
            "Most attributes of one resource, log record, metric data point, span or span event in an OTLP request, as OpenTelemetry SDKs' attribute count limit (128). Later ones are dropped, the record is kept; an array or map value keeps as many elements, counted over all its levels. Drops are counted in sleuth_ingest_limited_total and told to the sender in the response's partial_success message. Enforced while the body is decoded: from protobuf, what is dropped is never built (a 4 MB record of 500,000 attributes took 55 MiB of heap without the limit, none with it).",
          ),
        maxAttributeValueBytes: z
          .number()
          .int()
          .positive()
          .max(16 * 1024 * 1024)
          .default(16 * 1024)
          .describe(
            'Longest string (UTF-8 bytes, cut on a character boundary) or byte array in an attribute value, at any level of an array or map; longer ones are cut, counted in sleuth_ingest_limited_total and told to the sender. Log bodies are not attributes (they are cut at 64 KiB when stored).',
          ),
        maxAttributeDepth: z
          .number()
          .int()
          .positive()
          .max(32)
          .default(8)
          .describe(
            "How deep arrays and maps may nest in an attribute value: the attribute's own value is level 1, and an array or map at this level keeps no elements (counted and told as a cut value).",
          ),
        maxEventsPerSpan: z
          .number()
          .int()
          .nonnegative()
          .max(100_000)
          .default(128)
          .describe(
            "Most events of one span, as OpenTelemetry SDKs' event count limit (128); later ones are dropped and counted. Sleuth reads a span's events for its first exception. Span links, exemplars and instrumentation scopes are not stored and are skipped unread.",
          ),
        retryAfterSeconds: z.number().int().positive().default(1).describe('Retry-After sent with 429.'),
        defaultCluster: z
          .string()
          .min(1)
          .default('default')
          .describe('Cluster name for signals whose resource has no k8s.cluster.name.'),
        redactSecrets: z
          .boolean()
          .default(true)
          .describe('Mask secrets in log bodies and attributes before storing.'),
        agentTokensFile: z
          .string()
          .min(1)
          .optional()
          .describe(
            "YAML/JSON file mapping cluster name to agent token (`clusters: {prod-eu: TOKEN}`); re-read when it changes. An agent must present its cluster's token.",
          ),
        allowAnonymous: z
          .boolean()
          .default(true)
          .describe(
            'Accept OTLP without a bearer token (OpenTelemetry Collectors, the simulator). Set false when only agents send.',
          ),
      })
      .strict()
      .prefault({}),
    detect: z
      .object({
        enabled: z.boolean().default(true).describe('Run the detectors over every batch once it is stored.'),
        maxPendingRecords: z
          .number()
          .int()
          .positive()
          .default(200_000)
          .describe(
            'Stored records waiting for the detectors; beyond this, batches skip detection (counted in sleuth_detect_dropped_records_total), never ingest.',
          ),
        tickSeconds: z
          .number()
          .positive()
          .default(5)
          .describe('How often the time-driven checks run (series gone idle, states that lasted too long).'),
        metricPatternAlarm: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe(
            'Metric score (0..1) at which an out-of-sequence pattern opens an anomaly (docs/detection.md).',
          ),
        metricExtremeAlarm: z
          .number()
          .min(0)
          .max(1)
          .default(0.6)
          .describe(
            'Metric score at which a value beyond the range seen opens an anomaly: 0.3 is any new high, 0.6 one chance sets once in a million points, 1 once in 1e10.',
          ),
        metricTimeOfDayAlarm: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe(
            'Metric score at which values far from what the series usually shows at this time of day open an anomaly (after two days of a daily shape).',
          ),
        metricFlatLineAlarm: z
          .number()
          .min(0)
          .max(1)
          .default(0.3)
          .describe('Metric score at which a flat line opens an anomaly (flat lines score 1).'),
      })
      .strict()
      .prefault({}),
    kubernetes: KubernetesConfigSchema,
    agent: AgentConfigSchema,
    simulator: z
      .object({
        mode: z
          .enum(['auto', 'on', 'off'])
          .default('auto')
          .describe('auto: run the simulated fleet when no cluster is watched.'),
        seed: z.number().int().default(42).describe('Seed; the same seed gives the same fleet and signals.'),
        speed: z.number().positive().max(10_000).default(1).describe('Simulated seconds per real second.'),
        tickSeconds: z.number().positive().default(5).describe('Simulated seconds between emissions.'),
      })
      .strict()
      .prefault({}),
    llm: LlmConfigSchema,
    alerts: AlertsConfigSchema,
    prometheus: PrometheusConfigSchema,
    remediation: RemediationConfigSchema,
    auth: AuthConfigSchema,
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    telemetry: z
      .object({
        otlpEndpoint: z
          .string()
          .url()
          .optional()
          .describe('Where Sleuth sends its own traces; also read from OTEL_EXPORTER_OTLP_ENDPOINT.'),
        serviceName: z.string().default('sleuth').describe('service.name of Sleuth’s own traces.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.auth.enabled && !isLoopbackHost(c.server.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'enabled'],
        message: `authentication can be turned off only when server.host is a loopback address (127.0.0.1, ::1, localhost), not ${c.server.host}`,
      });
    }
  });

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export type Config = z.infer<typeof ConfigSchema>;
