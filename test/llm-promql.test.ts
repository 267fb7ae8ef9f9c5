/**
 * `promql_query` end to end: a Sleuth server with `prometheus.url` pointing at a real Prometheus
 * (scraping a cAdvisor-like target) and `llm` at the scripted OpenAI-compatible server. The model
 * is offered the tool, calls it, gets the series Prometheus holds with evidence ids, and its answer
 * cites one; the stored citation is the series window with Prometheus's labels. Without
 * `prometheus.url` the tool is not offered (llm-investigation.test.ts counts ten tools).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerRecord, ChatMessage } from '@sleuth/core';
import { startScrapedTarget, until } from './support/cadvisor-target';
import { startLlmServer, type LlmTestServer, type RecordedRequest } from './support/llm-server';
import { startTestServer, type TestServer } from './support/server';
import { toolEvidenceIds } from './support/llm-fixtures';

const MiB = 2 ** 20;
const QUERY = 'container_memory_working_set_bytes{namespace="shop",pod="cart-1"}';
let env: Awaited<ReturnType<typeof startScrapedTarget>>;
let llm: LlmTestServer;
let server: TestServer;

beforeAll(async () => {
  env = await startScrapedTarget([
    { namespace: 'shop', pod: 'cart-1', container: 'cart', memory: { start: 100 * MiB, perScrape: MiB } },
  ]);
  llm = await startLlmServer();
  server = await startTestServer({
    'llm.provider': 'openai',
    'llm.baseUrl': llm.url,
    'llm.model': 'scripted',
    'llm.autoInvestigate': 'off',
    'prometheus.url': env.prometheus.url,
    'prometheus.cluster': 'eu',
  });
  await until('samples in Prometheus', async () => {
    const res = await fetch(`${env.prometheus.url}/api/v1/query?query=${encodeURIComponent(`${QUERY}[1m]`)}`);
    const body = (await res.json()) as { data?: { result?: { values?: unknown[] }[] } };
    return (body.data?.result?.[0]?.values?.length ?? 0) >= 3;
  });
}, 40_000);

afterAll(async () => {
  await server?.dispose();
  await llm?.close();
  await env?.stop();
});

/** The content of the last tool message a request carries, parsed out of its data fence. */
function lastToolResult(req: RecordedRequest): Record<string, unknown> {
  const tool = (req.chat?.messages ?? []).filter((m) => m.role === 'tool').at(-1);
  const text = /<data[^>]*>\n?([\s\S]*?)\n?<\/data>/.exec(String(tool?.content))?.[1] ?? 'null';
  return JSON.parse(text) as Record<string, unknown>;
}

describe('promql_query through the scripted LLM', () => {
  it("is offered, runs the model's PromQL against Prometheus, and its series can be cited", async () => {
    let cited = '';
    let shown: Record<string, unknown> = {};
    llm.push(
      {
        kind: 'reply',
        respond: (req) => {
          const names = (req.chat?.tools ?? []).map(
            (t) => (t as { function: { name: string } }).function.name,
          );
          expect(names).toContain('promql_query');
          expect(names).toHaveLength(11);
          return {
            kind: 'tool_calls',
            calls: [{ name: 'promql_query', arguments: { query: QUERY, sinceMinutes: 1 } }],
          };
        },
      },
      {
        kind: 'reply',
        respond: (req) => {
          shown = lastToolResult(req);
          cited = toolEvidenceIds(req)[0] ?? '';
          return {
            kind: 'message',
            content: JSON.stringify({
              summary: 'cart-1 working set climbs about 1 MiB per second.',
              rootCause: {
                resource: 'eu/shop/Pod/cart-1',
                failureMode: 'memory-leak',
                hypothesis: 'the working set grows steadily under steady load',
              },
              confidence: 0.6,
              evidenceIds: [cited],
              nextSteps: ['kubectl -n shop top pod cart-1 --containers'],
              proposedFix: null,
            }),
          };
        },
      },
    );
    const conv = await fetch(`${server.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const id = ((await conv.json()) as { conversation: { id: string } }).conversation.id;
    const res = await fetch(`${server.url}/api/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'is cart-1 in shop leaking memory?' }),
    });
    expect(res.status).toBe(200);
    const answer = ((await res.json()) as { answer: ChatMessage }).answer.answer as AnswerRecord;

    // What the model saw: Prometheus's series for the pod, with its values and an evidence id.
    expect(shown).toMatchObject({ status: 'ok', query: { query: QUERY } });
    const data = shown['data'] as { cluster: string; series: Record<string, unknown>[] };
    expect(data.cluster).toBe('eu');
    expect(data.series).toHaveLength(1);
    const [series] = data.series;
    expect(series?.['labels']).toMatchObject({
      namespace: 'shop',
      pod: 'cart-1',
      container: 'cart',
      job: 'kubelet',
    });
    const values = (series?.['points'] as [string, number][]).map(([, v]) => v);
    expect(values.length).toBeGreaterThanOrEqual(2);
    const served = (env.target.served.get('shop/cart-1/cart') ?? []).map((v) => Number(v.toPrecision(4)));
    for (const v of values) expect(served).toContain(v);

    // The stored answer cites it, and the citation is the series window from Prometheus.
    expect(cited).toMatch(/^series:\d+$/);
    expect(answer.origin).toBe('llm');
    expect(answer.toolCalls).toEqual([expect.objectContaining({ name: 'promql_query', status: 'ok' })]);
    expect(answer.answer.evidence.map((e) => e.id)).toEqual([cited]);
    const signal = answer.answer.evidence[0]?.signal;
    expect(signal).toMatchObject({
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: { namespace: 'shop', pod: 'cart-1', container: 'cart', instance: env.target.address },
    });
    expect(signal?.kind === 'series' ? signal.toMs - signal.fromMs : 0).toBe(60_000);
    expect(answer.answer.evidence[0]?.summary).toContain(`Prometheus, PromQL ${QUERY}`);
  });
});
