import { z } from 'zod';

/** `prometheus`: Prometheus as a source, pushed (remote_write) and pulled (PromQL). */
export const PrometheusConfigSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'A Prometheus (or compatible: Thanos, Mimir, VictoriaMetrics) HTTP API the investigator and analyzers query with PromQL, e.g. http://prometheus:9090.',
      ),
    bearerToken: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Bearer token sent with PromQL queries (SLEUTH_PROMETHEUS_BEARER_TOKEN).'),
    cluster: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('The cluster the queried Prometheus watches, when its series carry no cluster label.'),
    timeoutSeconds: z.number().positive().max(300).default(15).describe('Per PromQL request.'),
    maxSeries: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe('Most series one PromQL call keeps; the rest are dropped and the answer says so.'),
    maxPoints: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(50_000)
      .describe(
        'Most points (samples) one PromQL call keeps over all its series; a range query asking for more is evaluated at a coarser step, and the answer says so.',
      ),
    remoteWrite: z
      .object({
        bearerToken: z
          .string()
          .min(8)
          .max(4096)
          .optional()
          .describe(
            'Token remote_write senders must present (`authorization` in their remote_write config). Unset: anonymous writes follow ingest.allowAnonymous.',
          ),
        cluster: z
          .string()
          .min(1)
          .max(253)
          .optional()
          .describe(
            'Cluster of series without a cluster label; default the receiver default (ingest.defaultCluster).',
          ),
        clusterLabel: z.string().min(1).max(200).default('cluster').describe('Label naming the cluster.'),
        maxSamplesPerRequest: z
          .number()
          .int()
          .positive()
          .max(1_000_000)
          .default(50_000)
          .describe(
            'Most samples in one remote_write request, and also most series and most metadata entries (Prometheus sends one sample per series); more answers 413 (lower queue_config.max_samples_per_send, or metadata_config.max_samples_per_send for metadata). Apart from this limit, a series with more than 128 labels is rejected: its samples are counted as rejected and the rest of the request is stored.',
          ),
        maxDecompressedBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024)
          .describe('Largest remote_write body after snappy decompression; larger answers 413.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
