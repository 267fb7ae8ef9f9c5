import { getJson, sendJson, type RequestOptions } from './http';

/** A secret as the server shows it: whether it is set (and the file it is read from), never its value. */
export interface SecretState {
  set: boolean;
  file?: string;
}

/**
 * `GET /settings`: the effective configuration's LLM, remediation and alerts sections. Mirrors
 * `SettingsView` of services/server/src/routes/settings.ts (to come from api-types).
 */
export interface Settings {
  llm: {
    provider: 'none' | 'openai' | 'azure';
    client: 'openai-sdk' | 'langchain';
    baseUrl: string | null;
    model: string | null;
    apiKey: SecretState;
    apiVersion: string | null;
    timeoutSeconds: number;
    maxRetries: number;
    maxToolCalls: number;
    maxTokens: number;
    autoInvestigate: string;
    redactEmails: boolean;
    anonymise: boolean;
  };
  remediation: {
    provider: 'local' | 'github' | 'gitlab';
    effectiveProvider: 'local' | 'github' | 'gitlab' | null;
    unavailable: string | null;
    repo: { url: string | null; demo: boolean; defaultBranch: string | null; paths: string[] };
    github: { owner: string | null; repo: string | null; baseUrl: string; token: SecretState };
    gitlab: { project: string | null; baseUrl: string; token: SecretState };
    labels: string[];
    policy: { fixers: string[]; autoOpen: string[]; autoOpenAfterSeconds: number };
  };
  alerts: {
    publicUrl: string | null;
    receivers: {
      name: string;
      source: 'alertmanager' | 'grafana' | 'generic';
      webhookUrl: string;
      cluster: string | null;
      clusterLabel: string;
      auth: ('bearer' | 'hmac')[];
      allowUnauthenticated: boolean;
      bearerToken: SecretState;
      hmac: { secret: SecretState; header: string; timestampHeader: string | null } | null;
    }[];
    notifications: {
      name: string;
      type: 'slack' | 'webhook';
      url: SecretState;
      headers: string[];
      events: string[];
      minSeverity: string;
      alertsOnly: boolean;
      maxAttempts: number;
    }[];
  };
}

/** `POST /settings/llm/test`. */
export type LlmTestResult =
  | { ok: true; model: string; latencyMs: number; reply: string }
  | { ok: false; model: string; latencyMs: number; failure: string; error: string };

export function getSettings(opts?: RequestOptions): Promise<Settings> {
  return getJson<Settings>('/settings', {}, opts);
}

/** One short completion through the configured LLM endpoint; 409 when none is configured. */
export function testLlmConnection(opts?: RequestOptions): Promise<LlmTestResult> {
  return sendJson<LlmTestResult>('POST', '/settings/llm/test', {}, opts);
}
