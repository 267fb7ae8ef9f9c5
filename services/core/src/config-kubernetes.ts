import { z } from 'zod';

/** `kubernetes`: watching a cluster directly (logs through pods/log, usage from metrics.k8s.io). */
export const KubernetesConfigSchema = z
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
          .describe('Only pods matching this label selector (kubectl syntax, e.g. "app=web,tier!=cache").'),
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
          .describe('For containers already running when the collector starts: seconds of log read back.'),
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
  .prefault({});

/** `agent`: settings of `sleuth agent`, which pushes one cluster's signals to a Sleuth server. */
export const AgentConfigSchema = z
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
  .prefault({});
