/**
 * Chat without an LLM, over HTTP: questions about a resource (in kubectl or in words, with the
 * wrong kind), a namespace, an unknown name, follow-ups in a pinned conversation, and the API's
 * answers to bad input. Every answer is the rule engine's, labelled `rules`, with citations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, Conversation } from '@sleuth/core';
import { crashingPod, incident, MIN } from './support/incidents';
import { getJson, startTestServer, type TestServer } from './support/server';

const NOW = Date.now();
const T = NOW - 10 * MIN;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const pod = crashingPod('eu', T);
  const service = {
    ref: { cluster: 'eu', namespace: 'shop', kind: 'Service', name: 'api' },
    apiVersion: 'v1',
    timeMs: T,
    deleted: false,
    object: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { selector: { app: 'api' } },
    },
  };
  const namespace = {
    ref: { cluster: 'eu', kind: 'Namespace', name: 'shop' },
    apiVersion: 'v1',
    timeMs: T,
    deleted: false,
    object: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop' } },
  };
  await server.store.writeBatch({
    logs: [],
    metrics: [],
    spans: [],
    events: [],
    objects: [...pod, service, namespace],
  });
  const p = { cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'api-7f9c-x1' };
  await server.store.putIncident(
    incident('inc_chat', {
      title: 'api crash-looping',
      severity: 'high',
      startMs: T,
      updatedMs: T + MIN,
      resources: [p],
      rootCauses: [
        {
          id: 'rc_1',
          failureMode: 'crash-loop',
          resource: p,
          hypothesis: 'container api exits with status 1 and is restarted',
          confidence: 0.9,
          rank: 1,
          evidence: [
            { signal: { kind: 'object', ref: p, timeMs: T }, summary: 'restartCount 7, CrashLoopBackOff' },
          ],
          origin: 'rules',
        },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.dispose();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function ask(id: string, text: string): Promise<ChatMessage> {
  const r = await post(`/api/v1/conversations/${id}/messages`, { text });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json['answer'] as ChatMessage;
}

async function conversation(pin: Record<string, unknown> = {}): Promise<string> {
  const r = await post('/api/v1/conversations', { pin });
  expect(r.status).toBe(201);
  return (r.json['conversation'] as Conversation).id;
}

describe('chat without an LLM', () => {
  it('answers about a resource with its cause and citations, marked as the rule engine', async () => {
    const a = await ask(await conversation(), 'what is wrong with shop/deploy/api?');
    expect(a.answer?.origin).toBe('rules');
    expect(a.answer?.fallbackReason).toBe('no LLM is configured');
    expect(a.answer?.answer.rootCause?.failureMode).toBe('crash-loop');
    expect(a.answer?.answer.evidence.length).toBeGreaterThan(0);
    expect(a.text).toBe(a.answer?.answer.summary);
  });

  it('takes the kind loosely: a StatefulSet asked about is the Deployment of that name, not its Service', async () => {
    const a = await ask(await conversation(), 'why is the statefulset api in shop failing?');
    expect(a.answer?.answer.rootCause?.failureMode).toBe('crash-loop');
  });

  it('answers "what is wrong in NAMESPACE" with its open incidents', async () => {
    const a = await ask(await conversation(), 'what is wrong in shop?');
    expect(a.text).toContain('1 open incident in namespace shop');
    expect(a.text).toContain('api crash-looping');
    expect(a.answer?.answer.evidence.length).toBeGreaterThan(0);
  });

  it('says what it does not know, with close names', async () => {
    const a = await ask(await conversation(), 'what is wrong with shop/deploy/apii?');
    expect(a.answer?.answer.rootCause).toBeNull();
    expect(a.text).toContain('no shop/Deployment/apii');
    expect(a.text).toContain('eu/shop/Deployment/api');
  });

  it('keeps a pinned conversation on its resource for follow-ups, and stores every turn', async () => {
    const id = await conversation({
      resource: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'api' },
    });
    const first = await ask(id, 'anything wrong?');
    const second = await ask(id, 'and now?');
    expect(first.answer?.answer.rootCause?.failureMode).toBe('crash-loop');
    expect(second.answer?.answer.rootCause?.failureMode).toBe('crash-loop');
    const stored = await getJson<{ conversation: Conversation; messages: ChatMessage[] }>(
      server.url,
      `/api/v1/conversations/${id}`,
    );
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored.conversation.title).toBe('anything wrong?');
  });

  it('answers bad input with 4xx JSON naming the problem', async () => {
    const id = await conversation();
    const empty = await post(`/api/v1/conversations/${id}/messages`, { text: '' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.json)).toContain('text');
    const blank = await post(`/api/v1/conversations/${id}/messages`, { text: '   \n ' });
    expect(blank.status).toBe(400);
    const long = await post(`/api/v1/conversations/${id}/messages`, { text: 'x'.repeat(5000) });
    expect(long.status).toBe(400);
    const unknown = await post('/api/v1/conversations/cnv_nope/messages', { text: 'hi' });
    expect(unknown.status).toBe(404);
    const badPin = await post('/api/v1/conversations', { pin: { incidentId: 'inc_nope' } });
    expect(badPin.status).toBe(404);
    const extra = await post('/api/v1/conversations', { pin: {}, admin: true });
    expect(extra.status).toBe(400);
    const none = await fetch(`${server.url}/api/v1/incidents/inc_chat/investigation`);
    expect(none.status).toBe(404);
  });

  it('gives an incident investigation from the rule engine when no LLM is configured', async () => {
    const r = await post('/api/v1/incidents/inc_chat/investigation', {});
    expect(r.status).toBe(200);
    const inv = r.json['investigation'] as {
      status: string;
      record: { origin: string; answer: { rootCause: { failureMode: string } } };
    };
    expect(inv.status).toBe('done');
    expect(inv.record.origin).toBe('rules');
    expect(inv.record.answer.rootCause.failureMode).toBe('crash-loop');
  });
});
