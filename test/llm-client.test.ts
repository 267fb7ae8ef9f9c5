/**
 * The LLM client against a scripted OpenAI-compatible server over real HTTP, through the openai
 * SDK: streaming text and tool calls, usage and budgets, and retries decided by status code
 * (429, 5xx, timeouts retried with Retry-After honoured; other 4xx not).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Budget, LlmClient, LlmError, type LlmSettings } from '@sleuth/analyze';
import { startLlmServer, type LlmTestServer } from './support/llm-server';

let server: LlmTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

let library: LlmSettings['client'] = 'openai-sdk';

function client(url: string, over: Partial<LlmSettings> = {}, sleeps: number[] = []): LlmClient {
  return new LlmClient(
    {
      provider: 'openai',
      client: library,
      baseUrl: url,
      model: 'scripted',
      apiKey: 'sk-test-key-not-real',
      timeoutMs: 2_000,
      maxRetries: 2,
      maxOutputTokens: 500,
      temperature: 0,
      ...over,
    },
    (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  );
}

const ask = [{ role: 'user' as const, content: 'why is cart failing?' }];

describe.each(['openai-sdk', 'langchain'] as const)('LlmClient through %s', (lib) => {
  beforeEach(() => {
    library = lib;
  });

  it('streams the text, counts usage on the budget and sends the key as a bearer token', async () => {
    server = await startLlmServer([
      {
        kind: 'message',
        content: 'The cart pods are OOM-killed.',
        usage: { prompt_tokens: 40, completion_tokens: 9 },
      },
    ]);
    const pieces: string[] = [];
    const budget = new Budget(10_000, 5);
    const c = await client(server.url).complete({ messages: ask, budget, onText: (t) => pieces.push(t) });
    expect(c.content).toBe('The cart pods are OOM-killed.');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(c.content);
    expect([c.promptTokens, c.completionTokens, c.attempts]).toEqual([40, 9, 1]);
    expect([budget.promptTokens, budget.completionTokens, budget.completions]).toEqual([40, 9, 1]);
    const req = server.requests[0];
    expect(req?.headers['authorization']).toBe('Bearer sk-test-key-not-real');
    expect(req?.chat?.stream).toBe(true);
  });

  it('assembles streamed tool calls with their arguments', async () => {
    server = await startLlmServer([
      {
        kind: 'tool_calls',
        calls: [
          {
            name: 'search_logs',
            arguments: { q: 'OOMKilled', resource: { kind: 'Deployment', name: 'cart' } },
          },
          { name: 'list_events', arguments: { namespace: 'shop' } },
        ],
      },
    ]);
    const c = await client(server.url).complete({
      messages: ask,
      tools: [{ type: 'function', function: { name: 'search_logs', parameters: { type: 'object' } } }],
      budget: new Budget(10_000, 5),
    });
    expect(c.toolCalls.map((t) => t.name)).toEqual(['search_logs', 'list_events']);
    expect(JSON.parse(c.toolCalls[0]?.arguments ?? '')).toEqual({
      q: 'OOMKilled',
      resource: { kind: 'Deployment', name: 'cart' },
    });
    expect(new Set(c.toolCalls.map((t) => t.id)).size).toBe(2);
    expect(server.requests[0]?.chat?.tools?.length).toBe(1);
  });

  it('retries 429 and 503 by status, honouring Retry-After, then succeeds', async () => {
    server = await startLlmServer([
      { kind: 'status', status: 429, retryAfterSeconds: 3 },
      { kind: 'status', status: 503 },
      { kind: 'message', content: 'ok' },
    ]);
    const sleeps: number[] = [];
    const c = await client(server.url, {}, sleeps).complete({ messages: ask, budget: new Budget(10_000, 5) });
    expect(c.content).toBe('ok');
    expect(c.attempts).toBe(3);
    expect(sleeps[0]).toBe(3_000);
    expect(sleeps[1]).toBeGreaterThan(0);
    expect(sleeps[1]).toBeLessThanOrEqual(1_000);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the failure kind and attempts', async () => {
    server = await startLlmServer([
      { kind: 'status', status: 429 },
      { kind: 'status', status: 429 },
      { kind: 'status', status: 429 },
    ]);
    const err = await client(server.url)
      .complete({ messages: ask, budget: new Budget(10_000, 5) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ failure: 'rate-limited', status: 429, attempts: 3 });
  });

  it('retries a timeout, and does not retry a 400', async () => {
    server = await startLlmServer([{ kind: 'hang' }, { kind: 'message', content: 'after a timeout' }]);
    const c = await client(server.url, { timeoutMs: 300 }).complete({
      messages: ask,
      budget: new Budget(10_000, 5),
    });
    expect(c.content).toBe('after a timeout');
    expect(c.attempts).toBe(2);

    server.push({
      kind: 'status',
      status: 400,
      body: { error: { message: 'model does not support tools' } },
    });
    const err = await client(server.url)
      .complete({ messages: ask, budget: new Budget(10_000, 5) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'rejected', status: 400, attempts: 1 });
    expect(String((err as Error).message)).toContain('model does not support tools');
  });

  it('gives up on a stream that goes quiet after its headers, retries it, and reports a stall after text as broken', async () => {
    server = await startLlmServer([{ kind: 'stall' }, { kind: 'message', content: 'after a stall' }]);
    const c = await client(server.url, { timeoutMs: 300 }).complete({
      messages: ask,
      budget: new Budget(10_000, 5),
    });
    expect(c.content).toBe('after a stall');
    expect(c.attempts).toBe(2);

    server.push({ kind: 'stall', content: 'The cart pods' });
    const err = await client(server.url, { timeoutMs: 300 })
      .complete({ messages: ask, budget: new Budget(10_000, 5), onText: () => undefined })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'stream-broken', attempts: 1 });
    expect(String((err as Error).message)).toContain('no data for 300 ms');
  });

  it('refuses to call once the token budget is spent, and caps max_tokens to what is left', async () => {
    server = await startLlmServer([
      { kind: 'message', content: 'first', usage: { prompt_tokens: 1_500, completion_tokens: 400 } },
    ]);
    const budget = new Budget(2_000, 5);
    await client(server.url).complete({ messages: ask, budget });
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 500 });
    expect(budget.tokensLeft).toBe(100);
    server.push({ kind: 'message', content: 'second', usage: { prompt_tokens: 90, completion_tokens: 10 } });
    await client(server.url).complete({ messages: ask, budget });
    expect(server.requests[1]?.body).toMatchObject({ max_tokens: 100 });
    const err = await client(server.url)
      .complete({ messages: ask, budget })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'budget' });
    expect(server.requests).toHaveLength(2);
  });
});
