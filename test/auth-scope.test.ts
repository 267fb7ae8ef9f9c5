/**
 * Scopes: a token scoped to namespace `shop` of `prod-eu` reads that namespace's logs, events,
 * objects, incidents, topology, diagnoses, alerts, fixes and investigations and none of another
 * namespace's, by listing, by filter or by id; the routes that do not apply scopes (settings, the
 * simulator) refuse it instead of answering unscoped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type Alert, type LogRecord } from '@sleuth/core';
import { Client } from './support/http-client';
import { crashingPod, incident } from './support/incidents';
import { startLlmServer, type LlmTestServer, type RecordedRequest } from './support/llm-server';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let llm: LlmTestServer;
let shop: Client;
let everyone: Client;
let sre: Client;

/** The scripted model: search every log for the payments secret, then answer citing what it got. */
function scripted(req: RecordedRequest) {
  const results = (req.chat?.messages ?? []).filter((m) => m.role === 'tool');
  if (results.length === 0)
    return {
      kind: 'tool_calls' as const,
      calls: [{ name: 'search_logs', arguments: { q: 'ledger', namespace: 'payments', cluster: 'prod-eu' } }],
    };
  const ids = results.flatMap((m) =>
    [...String(m.content).matchAll(/"evidenceId":"([^"]+)"/g)].map((x) => x[1]!),
  );
  return {
    kind: 'message' as const,
    content: JSON.stringify({
      summary: 'payments writes to its ledger.',
      rootCause: null,
      confidence: 0.5,
      evidenceIds: ids,
      nextSteps: [],
      proposedFix: null,
    }),
  };
}
const NOW = Date.now();

function alert(id: string, namespace: string): Alert {
  return {
    id,
    receiver: 'am',
    source: 'alertmanager',
    fingerprint: id,
    name: `${namespace} is failing`,
    status: 'firing',
    startsAt: NOW - 60_000,
    labels: { namespace, deployment: 'api' },
    annotations: {},
    cluster: 'prod-eu',
    resources: [{ cluster: 'prod-eu', namespace, kind: 'Deployment', name: 'api' }],
    receivedMs: NOW - 60_000,
    updatedMs: NOW - 60_000,
    deliveries: 1,
  };
}

function log(namespace: string, body: string): LogRecord {
  return {
    timeMs: NOW - 60_000,
    source: { cluster: 'prod-eu', namespace, pod: `${namespace}-pod-1` },
    severity: 'error',
    body,
    attributes: {},
  };
}

beforeAll(async () => {
  llm = await startLlmServer(
    Array.from({ length: 20 }, () => ({ kind: 'reply' as const, respond: scripted })),
  );
  server = await startTestServer({
    'auth.enabled': true,
    'llm.provider': 'openai',
    'llm.baseUrl': llm.url,
    'llm.model': 'scripted',
    'llm.autoInvestigate': 'off',
  });
  const batch = emptyBatch();
  batch.logs.push(
    log('shop', 'checkout failed: card declined'),
    log('payments', 'ledger secret payments-only'),
  );
  batch.events.push({
    cluster: 'prod-eu',
    namespace: 'payments',
    involved: { cluster: 'prod-eu', namespace: 'payments', kind: 'Pod', name: 'payments-pod-1' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'payments back-off',
    firstMs: NOW - 60_000,
    lastMs: NOW - 60_000,
    count: 1,
  } as never);
  batch.objects.push(...crashingPod('prod-eu', NOW - 60_000, 'shop'));
  batch.objects.push(...crashingPod('prod-eu', NOW - 60_000, 'payments'));
  await server.store.writeBatch(batch);
  await server.store.putAlerts([alert('alt_shop', 'shop'), alert('alt_pay', 'payments')]);
  await server.store.putIncident(
    incident('inc_shop', {
      startMs: NOW - 120_000,
      updatedMs: NOW - 60_000,
      resources: [{ cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'shop-pod-1' }],
    }),
  );
  await server.store.putIncident(
    incident('inc_pay', {
      startMs: NOW - 120_000,
      updatedMs: NOW - 60_000,
      resources: [{ cluster: 'prod-eu', namespace: 'payments', kind: 'Pod', name: 'payments-pod-1' }],
    }),
  );
  // The first admin, then tokens made by it.
  const admin = new Client(server.url);
  const { readFileSync } = await import('node:fs');
  const code = readFileSync(`${server.dataDir}/setup-code`, 'utf8').trim();
  await admin.post('/api/v1/auth/setup', { code, username: 'root', password: 'an admin passphrase' });
  const scoped = await admin.post<{ secret: string }>('/api/v1/tokens', {
    name: 'shop team',
    role: 'operator',
    scope: [{ cluster: 'prod-eu', namespace: 'shop' }],
    expiresInDays: 1,
  });
  const all = await admin.post<{ secret: string }>('/api/v1/tokens', {
    name: 'sre',
    role: 'viewer',
    expiresInDays: 1,
  });
  const op = await admin.post<{ secret: string }>('/api/v1/tokens', {
    name: 'oncall',
    role: 'operator',
    expiresInDays: 1,
  });
  sre = new Client(server.url, op.body.secret);
  shop = new Client(server.url, scoped.body.secret);
  everyone = new Client(server.url, all.body.secret);
});
afterAll(async () => {
  await server.dispose();
  await llm.close();
});

type Logs = { records: LogRecord[] };

describe('a namespace-scoped token', () => {
  it('reads its namespace’s logs and none of another’s, however it asks', async () => {
    const mine = await shop.get<Logs>('/api/v1/logs?from=now-1h');
    expect(mine.status).toBe(200);
    expect(mine.body.records.map((r) => r.body)).toEqual(['checkout failed: card declined']);
    const other = await shop.get<Logs>('/api/v1/logs?from=now-1h&namespace=payments');
    expect(other.body.records).toEqual([]);
    const search = await shop.get<Logs>('/api/v1/logs?from=now-1h&q=ledger');
    expect(search.body.records).toEqual([]);

    const both = await everyone.get<Logs>('/api/v1/logs?from=now-1h');
    expect(both.body.records).toHaveLength(2);
    const paymentsId = both.body.records.find((r) => r.source.namespace === 'payments')!.id!;
    const byId = await shop.get<Logs>(`/api/v1/logs/by-id?ids=${paymentsId}`);
    expect(byId.body.records).toEqual([]);
  });

  it('sees only incidents that lie wholly in its namespace; another’s is a 404', async () => {
    const list = await shop.get<{ incidents: { id: string }[] }>('/api/v1/incidents');
    expect(list.body.incidents.map((i) => i.id)).toEqual(['inc_shop']);
    expect((await shop.get('/api/v1/incidents/inc_shop')).status).toBe(200);
    expect((await shop.get('/api/v1/incidents/inc_pay')).status).toBe(404);
    const all = await everyone.get<{ incidents: { id: string }[] }>('/api/v1/incidents');
    expect(all.body.incidents.map((i) => i.id).sort()).toEqual(['inc_pay', 'inc_shop']);
  });

  it('gets none of another namespace’s events', async () => {
    const events = await shop.get<{ events: unknown[] }>('/api/v1/events?cluster=prod-eu&from=now-1h');
    expect(events.status).toBe(200);
    expect(events.body.events).toEqual([]);
    const seen = await everyone.get<{ events: unknown[] }>('/api/v1/events?cluster=prod-eu&from=now-1h');
    expect(seen.body.events).toHaveLength(1);
  });

  it('asks the LLM investigator with its scope: the tools return none of another namespace, so nothing is cited', async () => {
    const ask = async (c: Client) => {
      const conv = await c.post<{ conversation: { id: string } }>('/api/v1/conversations', {});
      expect(conv.status).toBe(201);
      const before = llm.requests.length;
      const a = await c.post(`/api/v1/conversations/${conv.body.conversation.id}/messages`, {
        text: 'what does payments write to its ledger?',
      });
      expect(a.status).toBe(200);
      const toolText = llm.requests
        .slice(before)
        .flatMap((r) =>
          (r.chat?.messages ?? []).filter((m) => m.role === 'tool').map((m) => String(m.content)),
        )
        .join('\n');
      return { conv: conv.body.conversation.id, toolText, answer: JSON.stringify(a.body['answer']) };
    };
    // Unscoped, the same question reaches the payments line: the test can tell.
    const open = await ask(sre);
    expect(open.toolText).toContain('ledger secret payments-only');
    expect(open.answer).toContain('ledger secret payments-only');

    const scoped = await ask(shop);
    expect(scoped.toolText).not.toContain('ledger secret');
    expect(scoped.answer).not.toContain('ledger secret');
    // Another principal's conversation does not exist for the scoped token.
    expect((await shop.get(`/api/v1/conversations/${open.conv}`)).status).toBe(404);
    const mine = await shop.get<{ conversations: { id: string }[] }>('/api/v1/conversations');
    expect(mine.body.conversations.map((c) => c.id)).toEqual([scoped.conv]);
  });

  it('lists only the clusters it is granted something of', async () => {
    for (const cluster of ['prod-eu', 'prod-us']) {
      const sent = await fetch(`${server.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceLogs: [
            {
              resource: { attributes: [{ key: 'k8s.cluster.name', value: { stringValue: cluster } }] },
              scopeLogs: [
                {
                  logRecords: [
                    { timeUnixNano: `${BigInt(NOW) * 1_000_000n}`, body: { stringValue: 'hello' } },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(sent.status).toBe(200);
    }
    const names = (c: { body: { clusters: { name: string }[] } }) =>
      c.body.clusters.map((x) => x.name).sort();
    expect(names(await everyone.get('/api/v1/clusters'))).toEqual(['prod-eu', 'prod-us']);
    expect(names(await shop.get('/api/v1/clusters'))).toEqual(['prod-eu']);
  });

  it('is told live only of incidents it may see', async () => {
    const seen: string[] = [];
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/incidents/stream`, {
      headers: { authorization: `Bearer ${shop.token!}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        for (const m of decoder.decode(chunk as Uint8Array).matchAll(/"id":"(inc_[a-z_]+)"/g))
          seen.push(m[1]!);
      }
    })().catch(() => undefined);
    const later = (id: string, namespace: string) =>
      incident(id, {
        startMs: NOW,
        updatedMs: NOW + 1,
        resources: [{ cluster: 'prod-eu', namespace, kind: 'Pod', name: `${namespace}-pod-2` }],
      });
    for (const [id, ns] of [
      ['inc_pay_live', 'payments'],
      ['inc_shop_live', 'shop'],
    ] as const) {
      await server.store.putIncident(later(id, ns));
      server.incidentFeed.publish(later(id, ns), undefined);
    }
    const deadline = Date.now() + 5_000;
    while (!seen.includes('inc_shop_live') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await reading;
    expect(seen).toEqual(['inc_shop_live']);
  });

  it('sees the topology of its namespace only: no node beyond it, and none reached through one', async () => {
    type Graph = { nodes: { ref: { namespace?: string } }[] };
    const mine = await shop.get<Graph>('/api/v1/topology?cluster=prod-eu');
    expect(mine.status).toBe(200);
    expect(mine.body.nodes.length).toBeGreaterThanOrEqual(3);
    expect(new Set(mine.body.nodes.map((n) => n.ref.namespace))).toEqual(new Set(['shop']));
    const all = await everyone.get<Graph>('/api/v1/topology?cluster=prod-eu');
    expect(new Set(all.body.nodes.map((n) => n.ref.namespace))).toEqual(new Set(['shop', 'payments']));

    const deploy = (ns: string) => `cluster=prod-eu&namespace=${ns}&kind=Deployment&name=api`;
    const down = await shop.get<{ downstream: unknown[] }>(`/api/v1/topology/downstream?${deploy('shop')}`);
    expect(down.status).toBe(200);
    expect(JSON.stringify(down.body)).not.toContain('payments');
    expect((await shop.get(`/api/v1/topology/neighbours?${deploy('payments')}`)).status).toBe(404);
    expect((await everyone.get(`/api/v1/topology/neighbours?${deploy('payments')}`)).status).toBe(200);
  });

  it('diagnoses resources of its namespace; another’s is not found', async () => {
    const mine = await shop.get<{ findings: unknown[] }>('/api/v1/diagnosis?resource=shop/deploy/api');
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).toContain('CrashLoopBackOff');
    expect(JSON.stringify(mine.body)).not.toContain('payments');
    const other = await shop.get('/api/v1/diagnosis?resource=payments/deploy/api');
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('api-7f9c');
    expect((await everyone.get('/api/v1/diagnosis?resource=payments/deploy/api')).status).toBe(200);
  });

  it('gets its own investigation, run over its scope, never the fleet-wide one', async () => {
    const before = llm.requests.length;
    const run = await shop.post<{ investigation: { incidentId: string; status: string } }>(
      '/api/v1/incidents/inc_shop/investigation',
      {},
    );
    expect(run.status).toBe(200);
    expect(run.body.investigation).toMatchObject({ incidentId: 'inc_shop', status: 'done' });
    const toolText = llm.requests
      .slice(before)
      .flatMap((r) => (r.chat?.messages ?? []).filter((m) => m.role === 'tool').map((m) => String(m.content)))
      .join('\n');
    // The model did call its tool over the scope (the scripted search asks for payments' ledger).
    expect(toolText).not.toBe('');
    expect(toolText).not.toContain('ledger secret');
    // Kept for the scope, not stored as the incident's investigation for everyone.
    expect((await shop.get('/api/v1/incidents/inc_shop/investigation')).status).toBe(200);
    expect((await everyone.get('/api/v1/incidents/inc_shop/investigation')).status).toBe(404);
    expect((await shop.post('/api/v1/incidents/inc_pay/investigation', {})).status).toBe(404);
    expect((await shop.get('/api/v1/incidents/inc_pay/investigation')).status).toBe(404);
  });

  it('sees alerts of its namespace only, and fixes only of incidents it may see', async () => {
    const ids = (r: { body: { alerts: { id: string }[] } }) => r.body.alerts.map((a) => a.id).sort();
    expect(ids(await shop.get('/api/v1/alerts'))).toEqual(['alt_shop']);
    expect(ids(await everyone.get('/api/v1/alerts'))).toEqual(['alt_pay', 'alt_shop']);
    expect((await shop.get('/api/v1/alerts/alt_pay')).status).toBe(404);
    expect((await shop.get('/api/v1/alerts/alt_shop')).status).toBe(200);

    // No repository is configured: a fix the scope allows gets that far (409), another is not found.
    const fix = await shop.get('/api/v1/incidents/inc_shop/fix');
    expect(fix.status).toBe(409);
    expect((await shop.get('/api/v1/incidents/inc_pay/fix')).status).toBe(404);
    expect((await shop.post('/api/v1/incidents/inc_pay/fix/pull-request', {})).status).toBe(404);
    expect((await sre.get('/api/v1/incidents/inc_pay/fix')).status).toBe(409);
  });

  it('sees how Sleuth is doing, but not the fleet’s stored totals', async () => {
    const mine = await shop.get<{ store: Record<string, unknown>; ingest: unknown }>('/api/v1/status');
    expect(mine.status).toBe(200);
    expect(mine.body.store).toEqual({ kind: 'sqlite', scope: 'prod-eu/shop' });
    expect(mine.body.ingest).toBeDefined();
    const all = await everyone.get<{ store: { counts: { logs: number } } }>('/api/v1/status');
    expect(all.body.store.counts.logs).toBeGreaterThanOrEqual(2);
  });

  it('is refused by the routes that do not apply scopes, rather than answered unscoped', async () => {
    for (const path of ['/api/v1/settings']) {
      const r = await shop.get(path);
      expect(r.status, path).toBe(403);
      expect(JSON.stringify(r.body)).toContain('does not apply scopes');
    }
  });
});
