/**
 * The settings API over HTTP: the effective LLM, git provider and alerts settings without a single
 * secret value in the answer, and the LLM connection test against a scripted OpenAI-compatible
 * server (answering, refusing the key, unreachable) or with no LLM configured.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { LlmTestResult, SettingsView } from '../services/server/src/routes/settings';
import type { LlmTestResult as UiLlmTestResult, Settings as UiSettings } from '../ui/src/lib/api/settings';
import { startLlmServer, type LlmTestServer } from './support/llm-server';
import { startTestServer, type TestServer } from './support/server';

const SECRETS = {
  llmKey: 'sk-settings-SECRET-llm-key-0001',
  githubToken: 'ghp_settingsSECRETgithubtoken0002',
  gitlabToken: 'glpat-settings-SECRET-0003',
  repoPassword: 'repo-pass-SECRET-0004',
  bearer: 'receiver-bearer-SECRET-0005',
  hmac: 'receiver-hmac-SECRET-0006',
  slackPath: 'T000/B000/slackSECRETpath0007',
  webhookHeader: 'Bearer header-SECRET-0008',
  webhookQuery: 'query-SECRET-0009',
};

let llm: LlmTestServer;
let server: TestServer;
let plain: TestServer;

beforeAll(async () => {
  llm = await startLlmServer();
  server = await startTestServer({
    'llm.provider': 'openai',
    'llm.baseUrl': llm.url,
    'llm.model': 'scripted',
    'llm.apiKey': SECRETS.llmKey,
    'llm.maxRetries': 2,
    // No incident should reach the scripted endpoint: only the tests' requests do.
    'llm.autoInvestigate': 'off',
    'remediation.provider': 'github',
    'remediation.repo.url': `https://sleuth:${SECRETS.repoPassword}@git.example.invalid/ops/gitops.git`,
    'remediation.github.owner': 'ops',
    'remediation.github.repo': 'gitops',
    'remediation.github.token': SECRETS.githubToken,
    'remediation.gitlab.token': SECRETS.gitlabToken,
    'alerts.receivers': [
      { name: 'prod-am', source: 'alertmanager', cluster: 'eu', bearerToken: SECRETS.bearer },
      {
        name: 'grafana',
        source: 'grafana',
        hmac: { secret: SECRETS.hmac, header: 'X-Grafana-Alerting-Signature' },
      },
    ],
    'alerts.notifications': [
      { name: 'oncall', type: 'slack', url: `https://hooks.slack.com/services/${SECRETS.slackPath}` },
      {
        name: 'itsm',
        type: 'webhook',
        url: `https://itsm.example.invalid/hook?token=${SECRETS.webhookQuery}`,
        headers: { Authorization: SECRETS.webhookHeader },
      },
    ],
  });
  plain = await startTestServer();
});

afterAll(async () => {
  await server?.dispose();
  await plain?.dispose();
  await llm?.close();
});

async function testLlm(base: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/settings/llm/test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/v1/settings', () => {
  it('is the shape the web UI reads (checked by tsc)', () => {
    expectTypeOf<UiSettings>().toEqualTypeOf<SettingsView>();
    expectTypeOf<UiLlmTestResult>().toEqualTypeOf<LlmTestResult>();
  });

  it('shows every section with secrets as set/unset, and no secret value anywhere', async () => {
    const res = await fetch(`${server.url}/api/v1/settings`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(text.includes(value), `${name} appears in the answer`).toBe(false);
    }
    expect(text).not.toContain('SECRET');
    const s = JSON.parse(text) as {
      llm: Record<string, unknown>;
      remediation: {
        provider: string;
        repo: { url: string };
        github: Record<string, unknown>;
        gitlab: Record<string, unknown>;
      };
      alerts: { receivers: Record<string, unknown>[]; notifications: Record<string, unknown>[] };
    };
    expect(s.llm).toMatchObject({
      provider: 'openai',
      model: 'scripted',
      baseUrl: llm.url,
      apiKey: { set: true },
    });
    expect(s.remediation.provider).toBe('github');
    expect(s.remediation.repo.url).toBe('https://***@git.example.invalid/ops/gitops.git');
    expect(s.remediation.github).toMatchObject({ owner: 'ops', repo: 'gitops', token: { set: true } });
    expect(s.remediation.gitlab).toMatchObject({ token: { set: true } });
    expect(s.alerts.receivers).toEqual([
      expect.objectContaining({
        name: 'prod-am',
        webhookUrl: `${server.url}/api/v1/alerts/prod-am`,
        auth: ['bearer'],
        bearerToken: { set: true },
        hmac: null,
      }),
      expect.objectContaining({
        name: 'grafana',
        auth: ['hmac'],
        bearerToken: { set: false },
        hmac: { secret: { set: true }, header: 'X-Grafana-Alerting-Signature', timestampHeader: null },
      }),
    ]);
    expect(s.alerts.notifications).toEqual([
      expect.objectContaining({ name: 'oncall', type: 'slack', url: { set: true }, headers: [] }),
      expect.objectContaining({
        name: 'itsm',
        type: 'webhook',
        url: { set: true },
        headers: ['Authorization'],
      }),
    ]);
  });

  it('shows a server without LLM, forge or receivers as such', async () => {
    const s = (await (await fetch(`${plain.url}/api/v1/settings`)).json()) as {
      llm: Record<string, unknown>;
      remediation: Record<string, unknown>;
      alerts: Record<string, unknown>;
    };
    expect(s.llm).toMatchObject({ provider: 'none', model: null, apiKey: { set: false } });
    expect(s.remediation).toMatchObject({ provider: 'local', effectiveProvider: null });
    expect(s.alerts).toMatchObject({ receivers: [], notifications: [] });
  });
});

describe('POST /api/v1/settings/llm/test', () => {
  it('answers ok with the model and the latency when the endpoint answers', async () => {
    llm.push({ kind: 'message', content: 'ok' });
    const before = llm.requests.length;
    const { status, body } = await testLlm(server.url);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, model: 'openai:scripted', reply: 'ok' });
    expect(body['latencyMs']).toEqual(expect.any(Number));
    const sent = llm.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers['authorization']).toBe(`Bearer ${SECRETS.llmKey}`);
  });

  it('names the failure, once, without the key, when the endpoint refuses', async () => {
    llm.push({
      kind: 'status',
      status: 401,
      body: {
        error: { message: `Incorrect API key provided: ${SECRETS.llmKey}`, type: 'invalid_request_error' },
      },
    });
    const before = llm.requests.length;
    const { status, body } = await testLlm(server.url);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, failure: 'rejected', model: 'openai:scripted' });
    expect(String(body['error'])).toContain('401');
    expect(String(body['error'])).toContain('Incorrect API key provided');
    expect(JSON.stringify(body)).not.toContain(SECRETS.llmKey);
    expect(llm.requests.length - before).toBe(1);
  });

  it('does not retry a server error: the test answers at once', async () => {
    llm.push({ kind: 'status', status: 503 });
    const { body } = await testLlm(server.url);
    expect(body).toMatchObject({ ok: false, failure: 'server-error' });
    expect(llm.remaining()).toBe(0);
  });

  it('answers 409 naming what to set when no LLM is configured', async () => {
    const { status, body } = await testLlm(plain.url);
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: 'llm_not_configured' } });
    expect(JSON.stringify(body)).toContain('llm.provider');
  });
});
