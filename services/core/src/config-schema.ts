import { z } from 'zod';

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
    kubernetes: z
      .object({
        mode: z
          .enum(['auto', 'on', 'off'])
          .default('auto')
          .describe(
            'auto: watch a cluster when a kubeconfig is given (kubeconfig, KUBECONFIG, ~/.kube/config) or Sleuth runs in a pod.',
          ),
        kubeconfig: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Kubeconfig file to use; default KUBECONFIG, ~/.kube/config, then the in-cluster service account.',
          ),
        context: z.string().min(1).optional().describe('Kubeconfig context; default its current context.'),
        cluster: z
          .string()
          .min(1)
          .max(253)
          .optional()
          .describe("The cluster's name in Sleuth (k8s.cluster.name); default the context's cluster name."),
        logs: z
          .object({
            enabled: z
              .boolean()
              .default(true)
              .describe("Collect containers' logs through pods/log (needs get on pods/log)."),
            namespaces: z
              .array(z.string().min(1).max(63))
              .max(1000)
              .default([])
              .describe(
                "Namespaces whose pods' logs are collected; empty: all. In the environment: comma-separated.",
              ),
            labelSelector: z
              .string()
              .max(4096)
              .default('')
              .describe(
                'Only pods matching this label selector (kubectl syntax, e.g. "app=web,tier!=cache").',
              ),
            maxStreams: z
              .number()
              .int()
              .min(1)
              .max(10_000)
              .default(200)
              .describe('Containers followed at once; more wait for a free stream (see /api/v1/clusters).'),
            initialSinceSeconds: z
              .number()
              .int()
              .min(0)
              .max(7 * 86_400)
              .default(600)
              .describe(
                'For containers already running when the collector starts: seconds of log read back.',
              ),
            previousTailLines: z
              .number()
              .int()
              .min(1)
              .max(100_000)
              .default(1000)
              .describe('Last lines read of a container that terminated abnormally before it was followed.'),
          })
          .strict()
          .prefault({}),
        usage: z
          .object({
            enabled: z
              .boolean()
              .default(true)
              .describe('Poll metrics.k8s.io (metrics-server) for container and node CPU and memory.'),
            intervalSeconds: z
              .number()
              .int()
              .min(5)
              .max(3600)
              .default(30)
              .describe('Seconds between two polls of metrics.k8s.io.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    agent: z
      .object({
        server: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe('`sleuth agent`: the Sleuth server to push to, e.g. https://sleuth.example.com.'),
        cluster: z
          .string()
          .min(1)
          .max(253)
          .optional()
          .describe("`sleuth agent`: this cluster's name in Sleuth; its token must be the server's for it."),
        token: z
          .string()
          .min(16)
          .max(4096)
          .optional()
          .describe('`sleuth agent`: the cluster token (SLEUTH_AGENT_TOKEN); a tokenFile is preferred.'),
        tokenFile: z
          .string()
          .min(1)
          .optional()
          .describe('`sleuth agent`: a file holding the cluster token (e.g. a mounted Secret).'),
        spoolDir: z
          .string()
          .min(1)
          .default('.sleuth-agent')
          .describe('`sleuth agent`: folder buffering requests until the server took them.'),
        spoolMaxMegabytes: z
          .number()
          .int()
          .min(1)
          .max(1_000_000)
          .default(512)
          .describe('`sleuth agent`: spool size (gzipped) beyond which collecting waits.'),
        healthPort: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .default(0)
          .describe('`sleuth agent`: port serving GET /healthz with the agent status; 0: none.'),
      })
      .strict()
      .prefault({}),
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
    llm: z
      .object({
        provider: z
          .enum(['none', 'openai', 'azure'])
          .default('none')
          .describe(
            'none: every answer comes from the deterministic engine. openai: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp, LM Studio) at baseUrl. azure: Azure OpenAI at baseUrl (the resource endpoint).',
          ),
        client: z
          .enum(['openai-sdk', 'langchain'])
          .default('openai-sdk')
          .describe(
            "The library making the requests: the openai SDK, or LangChain's ChatOpenAI (same HTTP API).",
          ),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe(
            'Endpoint: https://api.openai.com/v1 (the default for openai), http://127.0.0.1:11434/v1 (Ollama), http://HOST:8000/v1 (vLLM); for azure https://RESOURCE.openai.azure.com.',
          ),
        model: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('Model name (for azure: the deployment name). Required unless provider is none.'),
        apiKey: z
          .string()
          .min(1)
          .max(4096)
          .optional()
          .describe('API key (SLEUTH_LLM_API_KEY); self-hosted servers usually need none.'),
        apiVersion: z
          .string()
          .min(1)
          .default('2024-10-21')
          .describe('azure: the api-version query parameter.'),
        timeoutSeconds: z
          .number()
          .positive()
          .max(600)
          .default(60)
          .describe('Per request to the endpoint; a request that takes longer is retried.'),
        maxRetries: z
          .number()
          .int()
          .min(0)
          .max(10)
          .default(2)
          .describe(
            'Retries of one request on 408, 409, 429, 5xx and timeouts, with backoff (Retry-After honoured).',
          ),
        maxToolCalls: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(12)
          .describe('Tool calls one investigation or chat answer may make before it must answer.'),
        maxTokens: z
          .number()
          .int()
          .min(1000)
          .max(10_000_000)
          .default(120_000)
          .describe('Tokens (prompt + completion, as the endpoint counts them) one answer may spend.'),
        maxOutputTokens: z
          .number()
          .int()
          .min(64)
          .max(100_000)
          .default(2000)
          .describe('max_tokens of each completion.'),
        toolResultChars: z
          .number()
          .int()
          .min(500)
          .max(1_000_000)
          .default(12_000)
          .describe('A tool result longer than this (as JSON) is truncated, with a note saying so.'),
        temperature: z.number().min(0).max(2).default(0).describe('Sampling temperature.'),
        autoInvestigate: z
          .enum(['off', 'critical', 'high', 'medium', 'low'])
          .default('high')
          .describe(
            'New incidents of this severity or higher get an LLM investigation (when a provider is set).',
          ),
        redactEmails: z
          .boolean()
          .default(false)
          .describe('Also replace email addresses before anything is sent to the endpoint.'),
        anonymise: z
          .boolean()
          .default(false)
          .describe(
            'Replace cluster, namespace and object names by placeholders in what is sent, and put them back in answers.',
          ),
        promptsDir: z
          .string()
          .min(1)
          .optional()
          .describe("Folder of prompt files (default: the installation's prompts/)."),
      })
      .strict()
      .prefault({})
      .superRefine((llm, ctx) => {
        if (llm.provider !== 'none' && !llm.model)
          ctx.addIssue({
            code: 'custom',
            path: ['model'],
            message: `required when provider is ${llm.provider}`,
          });
        if (llm.provider === 'azure' && !llm.baseUrl)
          ctx.addIssue({
            code: 'custom',
            path: ['baseUrl'],
            message: 'required when provider is azure (https://RESOURCE.openai.azure.com)',
          });
      }),
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
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
