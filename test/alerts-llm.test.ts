/**
 * An alert starts an LLM investigation when an LLM is configured, and a storm starts one, not one
 * per alert: 60 critical alerts of one notification group on one workload are one incident, and
 * the scripted OpenAI-compatible endpoint is asked once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type Alert, type Investigation } from '@sleuth/core';
import { alertmanagerPayload, checkoutWorkload } from './support/alerts';
import { answerJson, CLUSTER } from './support/llm-fixtures';
import { startLlmServer, type LlmTestServer } from './support/llm-server';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const TOKEN = 'am-token-llm-0123456789';
let llm: LlmTestServer;
let server: TestServer;

beforeAll(async () => {
  llm = await startLlmServer();
  server = await startTestServer({
    'detect.enabled': false,
    'llm.provider': 'openai',
    'llm.baseUrl': llm.url,
    'llm.model': 'scripted',
    'llm.apiKey': 'sk-sleuth-test-key-0000000000',
    'llm.timeoutSeconds': 2,
    'llm.maxRetries': 0,
    'llm.autoInvestigate': 'high',
    'alerts.receivers': [{ name: 'am', source: 'alertmanager', cluster: CLUSTER, bearerToken: TOKEN }],
  });
  await server.store.writeBatch({ ...emptyBatch(), objects: checkoutWorkload(CLUSTER, Date.now() - 60_000) });
}, 30_000);

afterAll(async () => {
  await server?.dispose();
  await llm?.close();
});

describe('alerts and the LLM investigator', () => {
  it('investigates an alert storm once, with the LLM', async () => {
    llm.push({ kind: 'message', content: answerJson({ rootCause: null, evidenceIds: [] }) });
    const startsAt = new Date(Date.now() - 5_000).toISOString();
    const storm = alertmanagerPayload(
      Array.from({ length: 60 }, (_, i) => ({
        labels: {
          alertname: 'CheckoutDown',
          severity: 'critical',
          namespace: 'shop',
          pod: `checkout-5d8f-p${(i % 3) + 1}`,
          instance: `10.1.0.${(i % 3) + 1}:${8000 + i}`,
        },
        startsAt,
        fingerprint: `down${i}`,
      })),
      { groupKey: '{}:{alertname="CheckoutDown"}', groupLabels: { alertname: 'CheckoutDown' } },
    );
    const res = await fetch(`${server.url}/api/v1/alerts/am`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(storm),
    });
    expect(res.status).toBe(200);
    const alerts = await eventually(async () => {
      const list = (await getJson<{ alerts: Alert[] }>(server.url, '/api/v1/alerts?limit=100')).alerts;
      return list.length === 60 && list.every((a) => a.incidentId) ? list : undefined;
    });
    const incidents = new Set(alerts.map((a) => a.incidentId));
    expect(incidents.size).toBe(1);
    const [incidentId] = [...incidents];
    const investigation = await eventually(async () => {
      const r = await fetch(`${server.url}/api/v1/incidents/${incidentId}/investigation`);
      if (r.status !== 200) return undefined;
      const { investigation: inv } = (await r.json()) as { investigation: Investigation };
      return inv.status === 'done' ? inv : undefined;
    });
    expect(investigation.record?.origin).toBe('llm');
    // The storm's later alerts and the diagnosis updates did not ask again.
    await new Promise((r) => setTimeout(r, 500));
    expect(llm.requests).toHaveLength(1);
  });
});
