/**
 * The LLM investigator in its other modes, each with its own servers: the tool loop through
 * LangChain (llm.client: langchain), and anonymise mode (llm.anonymise: true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@sleuth/core';
import { startLlmServer, type LlmTestServer } from './support/llm-server';
import { crashingPod } from './support/incidents';
import { startTestServer, type TestServer } from './support/server';
import {
  answerJson,
  CLUSTER,
  log,
  namePlaceholder,
  record,
  T,
  toolEvidenceIds,
} from './support/llm-fixtures';

describe('the same tool loop through LangChain (llm.client: langchain)', () => {
  let lcLlm: LlmTestServer;
  let lc: TestServer;

  beforeAll(async () => {
    lcLlm = await startLlmServer();
    lc = await startTestServer({
      'llm.provider': 'openai',
      'llm.client': 'langchain',
      'llm.baseUrl': lcLlm.url,
      'llm.model': 'scripted',
      'llm.autoInvestigate': 'off',
    });
    await lc.store.writeBatch({
      logs: [log('exiting with status 1', 'error', T + 60_000)],
      metrics: [],
      spans: [],
      events: [],
      objects: crashingPod(CLUSTER, T),
    });
  }, 60_000);

  afterAll(async () => {
    await lc?.dispose();
    await lcLlm?.close();
  });

  it('runs tools, cites what they returned and streams the summary', async () => {
    lcLlm.push(
      {
        kind: 'tool_calls',
        calls: [
          {
            name: 'search_logs',
            arguments: { resource: { kind: 'Deployment', name: 'api', namespace: 'shop' } },
          },
        ],
      },
      {
        kind: 'reply',
        respond: (req) => ({
          kind: 'message',
          content: answerJson({ evidenceIds: toolEvidenceIds(req).slice(0, 1) }),
        }),
      },
    );
    const res = await fetch(`${lc.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const id = ((await res.json()) as { conversation: { id: string } }).conversation.id;
    const stream = await fetch(`${lc.url}/api/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ text: 'why is shop/deploy/api crashing?' }),
    });
    const body = await stream.text();
    expect(body.match(/event: token/g)?.length ?? 0).toBeGreaterThan(1);
    const answer = JSON.parse(/event: answer\ndata: (.*)/.exec(body)?.[1] ?? 'null') as ChatMessage;
    const rec = record(answer);
    expect(rec.origin, rec.fallbackReason).toBe('llm');
    expect(rec.model).toBe('openai+langchain:scripted');
    expect(rec.answer.evidence).toHaveLength(1);
    expect(rec.answer.evidence[0]?.id).toMatch(/^log:/);
    expect(lcLlm.requests[1]?.chat?.messages.some((m) => m.role === 'tool')).toBe(true);
  });
});

describe('anonymise mode (llm.anonymise: true)', () => {
  let anLlm: LlmTestServer;
  let an: TestServer;

  beforeAll(async () => {
    anLlm = await startLlmServer();
    an = await startTestServer({
      'llm.provider': 'openai',
      'llm.baseUrl': anLlm.url,
      'llm.model': 'scripted',
      'llm.anonymise': true,
      'llm.autoInvestigate': 'off',
    });
    await an.store.writeBatch({
      logs: [
        log('api-7f9c-x1 exiting with status 1 [REDACTED: broken marker from the app', 'error', T + 60_000),
      ],
      metrics: [],
      spans: [],
      events: [],
      objects: [
        ...crashingPod(CLUSTER, T),
        {
          ref: { cluster: CLUSTER, kind: 'Namespace', name: 'data' },
          apiVersion: 'v1',
          timeMs: T,
          deleted: false,
          object: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'data' } },
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await an?.dispose();
    await anLlm?.close();
  });

  it('sends placeholders for names, keeps its own prompts intact, and answers with the real names', async () => {
    anLlm.push(
      {
        kind: 'reply',
        respond: (req) => {
          // The model only knows the placeholders; it asks about the resource through one.
          const placeholder = namePlaceholder(req);
          return {
            kind: 'tool_calls',
            calls: [
              {
                name: 'search_logs',
                arguments: { resource: { kind: 'Deployment', name: placeholder, namespace: 'shop' } },
              },
            ],
          };
        },
      },
      {
        kind: 'reply',
        respond: (req) => ({
          kind: 'message',
          content: answerJson({ evidenceIds: toolEvidenceIds(req).slice(0, 1) }).replace(
            `${CLUSTER}/shop/Deployment/api`,
            `${CLUSTER}/shop/Deployment/${namePlaceholder(req)}`,
          ),
        }),
      },
    );
    const res = await fetch(`${an.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const id = ((await res.json()) as { conversation: { id: string } }).conversation.id;
    const asked = await fetch(`${an.url}/api/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'what is wrong with shop/deploy/api?' }),
    });
    const { answer } = (await asked.json()) as { answer: ChatMessage };
    const sent = anLlm.requests.map((r) => r.raw).join('\n');
    expect(sent).not.toContain('api-7f9c-x1');
    expect(sent).not.toMatch(/shop\/deploy\/api\b/);
    expect(sent).toContain('⟨res-');
    // A namespace called "data" does not rewrite the fences or the prompts.
    expect(sent).toContain('<data source=\\"tool:search_logs\\">');
    const rec = record(answer);
    expect(rec.origin, rec.fallbackReason).toBe('llm');
    expect(rec.toolCalls[0]?.status).toBe('ok');
    expect(rec.toolCalls[0]?.arguments).toContain('"name":"api"');
    expect(rec.answer.rootCause?.resource?.name).toBe('api');
    expect(rec.answer.evidence[0]?.id).toMatch(/^log:/);
  });
});
