/**
 * The LLM investigator end to end: a real Sleuth server whose `llm` config points at a scripted
 * OpenAI-compatible server. The product code talks to it through the openai SDK over HTTP, exactly
 * as it would to OpenAI or vLLM. Checked here: the tool loop runs, answers cite evidence that
 * resolves, the answer streams, and incidents are investigated on demand and on their own.
 * Secrets and injection: llm-safety.test.ts; fallbacks: llm-fallback.test.ts; LangChain and
 * anonymise modes: llm-modes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage, Investigation } from '@sleuth/core';
import { MIN } from './support/incidents';
import { getJson } from './support/server';
import {
  answerJson,
  askStreaming,
  CLUSTER,
  llm,
  newConversation,
  record,
  server,
  T,
  toolEvidenceIds,
  useSeededLlmServer,
} from './support/llm-fixtures';

useSeededLlmServer();

describe('LLM investigation through the openai SDK against a scripted endpoint', () => {
  it('runs the tool loop, stores an answer whose citations resolve, and streams it over SSE', async () => {
    let cited = '';
    llm.push(
      {
        kind: 'reply',
        respond: (req) => {
          // The model is offered every read-only tool with its JSON Schema parameters.
          const names = (req.chat?.tools ?? []).map(
            (t) => (t as { function: { name: string } }).function.name,
          );
          expect(names).toEqual(
            expect.arrayContaining([
              'search_logs',
              'get_resource',
              'list_events',
              'recent_changes',
              'topology',
            ]),
          );
          expect(names).toHaveLength(10);
          return {
            kind: 'tool_calls',
            calls: [
              {
                name: 'search_logs',
                arguments: { q: 'status', resource: { kind: 'Deployment', name: 'api', namespace: 'shop' } },
              },
            ],
          };
        },
      },
      {
        kind: 'reply',
        respond: (req) => {
          const ids = toolEvidenceIds(req);
          expect(ids.length).toBeGreaterThan(0);
          cited = ids[0] as string;
          return { kind: 'message', content: answerJson({ evidenceIds: [cited] }) };
        },
      },
    );
    const id = await newConversation();
    const events = await askStreaming(id, 'why is shop/deploy/api crashing?');
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('question');
    expect(kinds).toContain('tool_call');
    expect(kinds.at(-1)).toBe('answer');
    const tokens = events.filter((e) => e.event === 'token').map((e) => (e.data as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    const answer = events.at(-1)?.data as ChatMessage;
    const rec = record(answer);
    expect(tokens.join('')).toBe(rec.answer.summary);
    expect(rec.origin).toBe('llm');
    expect(rec.model).toBe('openai:scripted');
    expect(rec.prompts).toContain('chat-system@1');
    expect(rec.toolCalls).toEqual([expect.objectContaining({ name: 'search_logs', status: 'ok' })]);
    expect(rec.usage?.completions).toBe(2);
    expect(rec.answer.rootCause?.failureMode).toBe('crash-loop');
    // The citation resolves to a stored log line.
    expect(rec.answer.evidence.map((e) => e.id)).toEqual([cited]);
    const signal = rec.answer.evidence[0]?.signal;
    expect(signal?.kind).toBe('log');
    const logs = await server.store.getLogs(signal?.kind === 'log' ? signal.ids : []);
    expect(logs).toHaveLength(1);
    // Stored: the conversation has the question and the answer.
    const stored = await getJson<{ messages: ChatMessage[] }>(server.url, `/api/v1/conversations/${id}`);
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(stored.messages[1]?.answer?.answer.evidence[0]?.id).toBe(cited);
  });

  it('investigates an incident on demand and reuses the answer for the same state', async () => {
    await server.store.putIncident({
      id: 'inc_llm',
      title: 'api crash-looping',
      status: 'open',
      severity: 'high',
      startMs: T,
      updatedMs: T + 5 * MIN,
      resources: [{ cluster: CLUSTER, namespace: 'shop', kind: 'Pod', name: 'api-7f9c-x1' }],
      anomalyIds: [],
      rootCauses: [
        {
          id: 'rc_1',
          failureMode: 'crash-loop',
          resource: { cluster: CLUSTER, namespace: 'shop', kind: 'Pod', name: 'api-7f9c-x1' },
          hypothesis: 'container api exits with status 1 and is restarted',
          confidence: 0.9,
          rank: 1,
          evidence: [
            { signal: { kind: 'event', ids: ['1'] }, summary: 'BackOff restarting failed container api' },
          ],
          origin: 'rules',
        },
      ],
    });
    llm.push(
      { kind: 'tool_calls', calls: [{ name: 'get_incident', arguments: { id: 'inc_llm' } }] },
      {
        kind: 'reply',
        respond: (req) => {
          // The rule engine's findings and their ids are in the first user message, fenced.
          const first = req.chat?.messages.find((m) => m.role === 'user');
          expect(String(first?.content)).toContain('<data source="sleuth:rule-findings">');
          expect(String(first?.content)).toContain('event:1');
          return { kind: 'message', content: answerJson({ evidenceIds: ['event:1'] }) };
        },
      },
    );
    const post = async () => {
      const res = await fetch(`${server.url}/api/v1/incidents/inc_llm/investigation`, { method: 'POST' });
      expect(res.status).toBe(200);
      return ((await res.json()) as { investigation: Investigation }).investigation;
    };
    const first = await post();
    expect(first.status).toBe('done');
    expect(first.record?.origin).toBe('llm');
    expect(first.record?.prompts).toEqual(['investigator-system@1', 'investigate-incident@1']);
    expect(first.record?.answer.evidence.map((e) => e.id)).toEqual(['event:1']);
    const requests = llm.requests.length;
    const again = await post();
    expect(again.id).toBe(first.id);
    expect(llm.requests.length).toBe(requests);
    const latest = await getJson<{ investigation: Investigation }>(
      server.url,
      '/api/v1/incidents/inc_llm/investigation',
    );
    expect(latest.investigation.id).toBe(first.id);
  });

  it('investigates a new incident of high severity on its own, and leaves a low one alone', async () => {
    const base = {
      status: 'open' as const,
      startMs: T,
      updatedMs: T + 6 * MIN,
      resources: [{ cluster: CLUSTER, namespace: 'shop', kind: 'Pod', name: 'api-7f9c-x1' }],
      anomalyIds: [],
      rootCauses: [],
    };
    const high = { ...base, id: 'inc_auto_high', title: 'api down', severity: 'high' as const };
    const low = { ...base, id: 'inc_auto_low', title: 'api noisy', severity: 'low' as const };
    await server.store.putIncident(high);
    await server.store.putIncident(low);
    llm.push({ kind: 'message', content: answerJson({ rootCause: null, evidenceIds: [] }) });
    server.incidentFeed.publish(low, undefined);
    server.incidentFeed.publish(high, undefined);
    let got: Investigation | undefined;
    for (let i = 0; i < 100 && got?.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${server.url}/api/v1/incidents/inc_auto_high/investigation`);
      if (res.status === 200) got = ((await res.json()) as { investigation: Investigation }).investigation;
    }
    expect(got?.status).toBe('done');
    expect(got?.record?.origin).toBe('llm');
    expect(llm.requests).toHaveLength(1);
    const none = await fetch(`${server.url}/api/v1/incidents/inc_auto_low/investigation`);
    expect(none.status).toBe(404);
  });
});
