import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SleuthError, type FrozenConfig } from '@sleuth/core';
import { Budget, LlmClient, LlmError } from '@sleuth/analyze';
import { redactUrl } from '@sleuth/remediate';
import { llmSettings } from '../llm-setup';
import { remediationSettings } from '../remediation/settings';

export interface SettingsRouteDeps {
  config: FrozenConfig;
  /** The simulated fleet's GitOps repository, used when `remediation.repo.url` is unset. */
  demoRepo?: string | undefined;
  /** How long the connection test waits for the endpoint; default 15 s (or `llm.timeoutSeconds`, if less). */
  testTimeoutMs?: number;
}

/** A secret as shown: whether it is set, and the file it is read from when it is one; never its value. */
const SecretState = z.object({ set: z.boolean(), file: z.string().optional() });

/**
 * `GET /settings`: the effective configuration's sections a person needs to check, every field
 * chosen one by one (a field added to the config appears only once it is added here), every
 * secret as `{set}`. Serialized through this schema, which drops any key it does not name.
 */
export const SettingsView = z.object({
  llm: z.object({
    provider: z.enum(['none', 'openai', 'azure']),
    client: z.enum(['openai-sdk', 'langchain']),
    baseUrl: z.string().nullable(),
    model: z.string().nullable(),
    apiKey: SecretState,
    apiVersion: z.string().nullable(),
    timeoutSeconds: z.number(),
    maxRetries: z.number(),
    maxToolCalls: z.number(),
    maxTokens: z.number(),
    autoInvestigate: z.string(),
    redactEmails: z.boolean(),
    anonymise: z.boolean(),
  }),
  remediation: z.object({
    provider: z.enum(['local', 'github', 'gitlab']),
    /** What fixes actually use: `local` when the forge's settings are incomplete. */
    effectiveProvider: z.enum(['local', 'github', 'gitlab']).nullable(),
    unavailable: z.string().nullable(),
    repo: z.object({
      url: z.string().nullable(),
      demo: z.boolean(),
      defaultBranch: z.string().nullable(),
      paths: z.array(z.string()),
    }),
    github: z.object({
      owner: z.string().nullable(),
      repo: z.string().nullable(),
      baseUrl: z.string(),
      token: SecretState,
    }),
    gitlab: z.object({ project: z.string().nullable(), baseUrl: z.string(), token: SecretState }),
    labels: z.array(z.string()),
    policy: z.object({
      fixers: z.array(z.string()),
      autoOpen: z.array(z.string()),
      autoOpenAfterSeconds: z.number(),
    }),
  }),
  alerts: z.object({
    publicUrl: z.string().nullable(),
    receivers: z.array(
      z.object({
        name: z.string(),
        source: z.enum(['alertmanager', 'grafana', 'generic']),
        /** The URL to paste into Alertmanager or Grafana. */
        webhookUrl: z.string(),
        cluster: z.string().nullable(),
        clusterLabel: z.string(),
        auth: z.array(z.enum(['bearer', 'hmac'])),
        allowUnauthenticated: z.boolean(),
        bearerToken: SecretState,
        hmac: z
          .object({ secret: SecretState, header: z.string(), timestampHeader: z.string().nullable() })
          .nullable(),
      }),
    ),
    notifications: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['slack', 'webhook']),
        /** For Slack the URL is the credential; for a webhook it may carry one: never shown. */
        url: SecretState,
        /** Header names only: their values are often credentials. */
        headers: z.array(z.string()),
        events: z.array(z.string()),
        minSeverity: z.string(),
        alertsOnly: z.boolean(),
        maxAttempts: z.number(),
      }),
    ),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

/** `POST /settings/llm/test`: one tiny completion through the configured endpoint. */
export const LlmTestResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), model: z.string(), latencyMs: z.number(), reply: z.string() }),
  z.object({
    ok: z.literal(false),
    model: z.string(),
    latencyMs: z.number(),
    failure: z.string(),
    error: z.string(),
  }),
]);
export type LlmTestResult = z.infer<typeof LlmTestResult>;

function secret(value: string | undefined, file?: string): z.infer<typeof SecretState> {
  return file !== undefined ? { set: true, file } : { set: value !== undefined };
}

/** An http(s) URL without credentials or query string (either may hold a key). */
function shownUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

/** The settings view of `config`; `base` is Sleuth's URL for the receivers' webhook URLs. */
export function settingsView(config: FrozenConfig, base: string, demoRepo?: string): SettingsView {
  const { llm, remediation: r, alerts } = config;
  const effective = remediationSettings(config, demoRepo);
  const repoUrl = r.repo.url ?? demoRepo;
  return {
    llm: {
      provider: llm.provider,
      client: llm.client,
      baseUrl: shownUrl(llm.baseUrl ?? (llm.provider === 'openai' ? 'https://api.openai.com/v1' : undefined)),
      model: llm.model ?? null,
      apiKey: secret(llm.apiKey),
      apiVersion: llm.provider === 'azure' ? llm.apiVersion : null,
      timeoutSeconds: llm.timeoutSeconds,
      maxRetries: llm.maxRetries,
      maxToolCalls: llm.maxToolCalls,
      maxTokens: llm.maxTokens,
      autoInvestigate: llm.autoInvestigate,
      redactEmails: llm.redactEmails,
      anonymise: llm.anonymise,
    },
    remediation: {
      provider: r.provider,
      effectiveProvider: 'unavailable' in effective ? null : effective.provider,
      unavailable: 'unavailable' in effective ? effective.unavailable : null,
      repo: {
        url: repoUrl === undefined ? null : redactUrl(repoUrl),
        demo: r.repo.url === undefined && demoRepo !== undefined,
        defaultBranch: r.repo.defaultBranch ?? null,
        paths: [...r.repo.paths],
      },
      github: {
        owner: r.github.owner ?? null,
        repo: r.github.repo ?? null,
        baseUrl: shownUrl(r.github.baseUrl) ?? '',
        token: secret(r.github.token),
      },
      gitlab: {
        project: r.gitlab.project ?? null,
        baseUrl: shownUrl(r.gitlab.baseUrl) ?? '',
        token: secret(r.gitlab.token),
      },
      labels: [...r.labels],
      policy: {
        fixers: [...r.policy.fixers],
        autoOpen: [...r.policy.autoOpen],
        autoOpenAfterSeconds: r.policy.autoOpenAfterSeconds,
      },
    },
    alerts: {
      publicUrl: shownUrl(alerts.publicUrl),
      receivers: alerts.receivers.map((rc) => ({
        name: rc.name,
        source: rc.source,
        webhookUrl: `${base}/api/v1/alerts/${rc.name}`,
        cluster: rc.cluster ?? null,
        clusterLabel: rc.clusterLabel,
        auth: [
          ...(rc.bearerToken !== undefined || rc.bearerTokenFile !== undefined ? (['bearer'] as const) : []),
          ...(rc.hmac ? (['hmac'] as const) : []),
        ],
        allowUnauthenticated: rc.allowUnauthenticated,
        bearerToken: secret(rc.bearerToken, rc.bearerTokenFile),
        hmac: rc.hmac
          ? {
              secret: secret(rc.hmac.secret, rc.hmac.secretFile),
              header: rc.hmac.header,
              timestampHeader: rc.hmac.timestampHeader ?? null,
            }
          : null,
      })),
      notifications: alerts.notifications.map((n) => ({
        name: n.name,
        type: n.type,
        url: secret(n.url, n.urlFile),
        headers: Object.keys(n.headers),
        events: [...n.events],
        minSeverity: n.minSeverity,
        alertsOnly: n.alertsOnly,
        maxAttempts: n.maxAttempts,
      })),
    },
  };
}

/** Sleuth's URL: `alerts.publicUrl`, else the address this request reached it at. */
function baseUrl(config: FrozenConfig, req: FastifyRequest): string {
  return (shownUrl(config.alerts.publicUrl) ?? `${req.protocol}://${req.host}`).replace(/\/$/, '');
}

/**
 * Settings, read-only (the config is read once at startup; docs/configuration.md):
 * - `GET /settings` → the LLM, remediation and alerts sections, secrets as `{set, file?}`.
 * - `POST /settings/llm/test` → `{ok: true, model, latencyMs, reply}` or `{ok: false, model,
 *   latencyMs, failure, error}`: one short completion, no retries; 409 when no LLM is configured.
 */
export function settingsRoutes({ config, demoRepo, testTimeoutMs = 15_000 }: SettingsRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get('/settings', { schema: { response: { 200: SettingsView } } }, (req) =>
      settingsView(config, baseUrl(config, req), demoRepo),
    );

    app.post(
      '/settings/llm/test',
      {
        config: { access: 'admin', audit: 'settings.llm_test' },
        schema: { response: { 200: LlmTestResult } },
      },
      async () => {
        const settings = llmSettings(config.llm);
        if (!settings)
          throw new SleuthError(
            'llm_not_configured',
            'no LLM is configured (llm.provider is none): set llm.provider, llm.model and llm.baseUrl (docs/llm.md) and restart',
            { statusCode: 409 },
          );
        const client = new LlmClient({
          ...settings,
          timeoutMs: Math.min(settings.timeoutMs, testTimeoutMs),
          maxRetries: 0,
          maxOutputTokens: 64,
        });
        const started = Date.now();
        const signal = AbortSignal.timeout(Math.min(settings.timeoutMs, testTimeoutMs) + 1000);
        try {
          const c = await client.complete({
            messages: [
              { role: 'user', content: 'This is a connection test. Reply with the single word: ok' },
            ],
            budget: new Budget(10_000, 0),
            signal,
          });
          return {
            ok: true as const,
            model: client.label,
            latencyMs: Date.now() - started,
            reply: c.content.slice(0, 200),
          };
        } catch (err) {
          const failure = err instanceof LlmError ? err.failure : 'error';
          const message = err instanceof Error ? err.message : String(err);
          return {
            ok: false as const,
            model: client.label,
            latencyMs: Date.now() - started,
            failure,
            // An endpoint may echo what it was sent; the key never leaves in an answer.
            error: settings.apiKey ? message.split(settings.apiKey).join('***') : message,
          };
        }
      },
    );
  };
}
