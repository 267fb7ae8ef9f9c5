import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmTestServer, type ScriptStep } from './llm-server.js';

let server: LlmTestServer;
let client: OpenAI;

beforeEach(async () => {
  server = await startLlmServer();
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});

afterEach(async () => {
  await server.close();
});

/** The error a promise rejects with, checked to be of `type`. */
async function rejection<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof type)) throw new Error(`expected a ${type.name}, got ${String(err)}`);
  return err;
}

const parseArgs = (json: string): unknown => JSON.parse(json);

const ask: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Why is checkout-api crash-looping?' }];

const podLogsTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_pod_logs',
    description: 'Recent log lines of one pod',
    parameters: {
      type: 'object',
      properties: { namespace: { type: 'string' }, pod: { type: 'string' }, tail: { type: 'number' } },
      required: ['namespace', 'pod'],
    },
  },
};

describe('LLM test server', () => {
  it('answers a plain message as a chat.completion echoing the model, with estimated usage', async () => {
    server.push({ kind: 'message', content: 'The container is OOM-killed at its 256Mi limit.' });

    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });

    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'The container is OOM-killed at its 256Mi limit.',
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const raw = server.requests[0]?.raw ?? '';
    expect(completion.usage).toEqual({
      prompt_tokens: Math.ceil(raw.length / 4),
      completion_tokens: Math.ceil('The container is OOM-killed at its 256Mi limit.'.length / 4),
      total_tokens: Math.ceil(raw.length / 4) + 12,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer test');
    expect(server.requests[0]?.chat?.messages).toEqual(ask);
    expect(server.remaining()).toBe(0);
  });

  it('uses scripted usage when given', async () => {
    server.push({ kind: 'message', content: 'ok', usage: { prompt_tokens: 1200, completion_tokens: 34 } });
    const completion = await client.chat.completions.create({ model: 'm', messages: ask });
    expect(completion.usage).toEqual({ prompt_tokens: 1200, completion_tokens: 34, total_tokens: 1234 });
  });

  it('does a tool-call round trip: tools go out, tool calls come back, the tool result is seen', async () => {
    server.push(
      {
        kind: 'tool_calls',
        calls: [{ name: 'get_pod_logs', arguments: { namespace: 'shop', pod: 'api-1' } }],
      },
      {
        kind: 'reply',
        respond: (req) => {
          const last = req.chat?.messages.at(-1);
          return { kind: 'message', content: `From the logs: ${String(last?.content)}` };
        },
      },
    );

    const first = await client.chat.completions.create({ model: 'm', messages: ask, tools: [podLogsTool] });
    const choice = first.choices[0];
    if (!choice) throw new Error('expected a choice');
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_pod_logs');
    expect(parseArgs(call.function.arguments)).toEqual({ namespace: 'shop', pod: 'api-1' });

    const toolResult: ChatCompletionMessageParam = {
      role: 'tool',
      tool_call_id: call.id,
      content: 'java.lang.OutOfMemoryError: Java heap space',
    };
    const second = await client.chat.completions.create({
      model: 'm',
      messages: [...ask, choice.message, toolResult],
      tools: [podLogsTool],
    });

    expect(second.choices[0]?.message.content).toBe(
      'From the logs: java.lang.OutOfMemoryError: Java heap space',
    );
    expect(server.requests[0]?.chat?.tools).toEqual([podLogsTool]);
    expect(server.requests[1]?.chat?.messages).toContainEqual(toolResult);
    expect(server.requests[1]?.chat?.messages[1]?.tool_calls?.[0]?.id).toBe(call.id);
  });

  it('streams content in several chunks of one completion id that concatenate to the script', async () => {
    const text = 'Memory climbs for ten minutes, then the kernel kills the JVM.';
    server.push({ kind: 'message', content: text });

    const stream = await client.chat.completions.create({ model: 'm', messages: ask, stream: true });
    const pieces: string[] = [];
    const ids = new Set<string>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      ids.add(chunk.id);
      const delta = chunk.choices[0]?.delta.content;
      if (delta) pieces.push(delta);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }

    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('')).toBe(text);
    expect(ids.size).toBe(1);
    expect(finish).toBe('stop');
    expect(server.requests[0]?.chat?.stream).toBe(true);
  });

  const logsArgs = { namespace: 'shop', pod: 'api-1', tail: 200 };
  const eventsArgs = { namespace: 'shop' };
  const twoCalls: ScriptStep = {
    kind: 'tool_calls',
    content: 'Checking two things.',
    calls: [
      { name: 'get_pod_logs', arguments: logsArgs },
      { name: 'get_events', arguments: eventsArgs },
    ],
  };

  it('streams tool calls that the SDK stream helper assembles', async () => {
    server.push(twoCalls);

    const argumentDeltas: string[] = [];
    const stream = client.chat.completions
      .stream({ model: 'm', messages: ask, tools: [podLogsTool] })
      .on('tool_calls.function.arguments.delta', (e) => argumentDeltas.push(e.arguments_delta));
    const final = await stream.finalChatCompletion();

    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Checking two things.');
    const calls = (choice?.message.tool_calls ?? []).map((c) =>
      c.type === 'function' ? { id: c.id, name: c.function.name, args: parseArgs(c.function.arguments) } : c,
    );
    expect(calls).toMatchObject([
      { name: 'get_pod_logs', args: logsArgs },
      { name: 'get_events', args: eventsArgs },
    ]);
    for (const c of calls) expect(c.id).toMatch(/^call_/);
    expect(argumentDeltas.length).toBeGreaterThan(2);
  });

  it('streams tool calls as indexed deltas that accumulate by hand from create({ stream: true })', async () => {
    server.push(twoCalls);

    const stream = await client.chat.completions.create({ model: 'm', messages: ask, stream: true });
    const calls: { id: string; name: string; args: string }[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[d.index] ??= { id: '', name: '', args: '' });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name = d.function.name;
        call.args += d.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }

    expect(finish).toBe('tool_calls');
    expect(calls.map((c) => c.name)).toEqual(['get_pod_logs', 'get_events']);
    expect(calls.map((c) => parseArgs(c.args))).toEqual([logsArgs, eventsArgs]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('sends a last usage chunk with no choices when stream_options.include_usage is set', async () => {
    server.push(
      { kind: 'message', content: 'short answer', usage: { prompt_tokens: 50, completion_tokens: 3 } },
      { kind: 'message', content: 'again', usage: { prompt_tokens: 7, completion_tokens: 1 } },
    );

    const stream = await client.chat.completions.create({
      model: 'm',
      messages: ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 50, completion_tokens: 3, total_tokens: 53 });

    const final = await client.chat.completions
      .stream({ model: 'm', messages: ask, stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.usage).toEqual({ prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 });
  });

  it('answers a scripted 429 that the SDK sees as a RateLimitError with retry-after', async () => {
    server.push({ kind: 'status', status: 429, retryAfterSeconds: 7 });

    const rateLimit = await rejection(
      client.chat.completions.create({ model: 'm', messages: ask }),
      OpenAI.RateLimitError,
    );

    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('7');
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(server.requests).toHaveLength(1);
  });

  it('sends a scripted error body as given', async () => {
    const body = { error: { message: 'upstream overloaded', type: 'server_error', code: 'overloaded' } };
    server.push({ kind: 'status', status: 503, body });

    const err = await rejection(
      client.chat.completions.create({ model: 'm', messages: ask }),
      OpenAI.InternalServerError,
    );

    expect(err.status).toBe(503);
    expect(err.message).toContain('upstream overloaded');
  });

  it('hangs on a hang step until the client times out, and close() still returns', async () => {
    server.push({ kind: 'hang' });

    await expect(
      client.chat.completions.create({ model: 'm', messages: ask }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    server.push({ kind: 'hang' });
    const pending = rejection(
      client.chat.completions.create({ model: 'm', messages: ask }),
      OpenAI.APIConnectionError,
    );
    await expect.poll(() => server.requests.length).toBe(2);

    await server.close();
    await pending;
    await server.close();
  });

  it('answers 500 naming the exhausted script, without the SDK retrying', async () => {
    const retrying = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 2 });

    const err = await rejection(
      retrying.chat.completions.create({ model: 'm', messages: ask }),
      OpenAI.InternalServerError,
    );

    expect(err.status).toBe(500);
    expect(err.message).toMatch(/script exhausted/);
    expect(server.requests).toHaveLength(1);
  });

  it('gives every completion and every tool call a unique id', async () => {
    const call = { name: 'get_events', arguments: {} };
    server.push(
      { kind: 'message', content: 'a' },
      { kind: 'message', content: 'a' },
      { kind: 'tool_calls', calls: [call, call] },
      { kind: 'message', content: 'streamed' },
    );

    const ids: string[] = [];
    const toolCallIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await client.chat.completions.create({ model: 'm', messages: ask });
      ids.push(c.id);
      toolCallIds.push(...(c.choices[0]?.message.tool_calls ?? []).map((t) => t.id));
    }
    const final = await client.chat.completions.stream({ model: 'm', messages: ask }).finalChatCompletion();
    ids.push(final.id);

    expect(new Set(ids).size).toBe(4);
    expect(toolCallIds).toHaveLength(2);
    expect(new Set(toolCallIds).size).toBe(2);
  });

  it('rejects a malformed body with an OpenAI-style 400 and consumes no step', async () => {
    server.push({ kind: 'message', content: 'kept for later' });

    const notJson = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "m", "messages": [',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

    const noMessages = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm' }),
    });
    expect(await noMessages.json()).toMatchObject({
      error: { param: 'messages', code: 'missing_required_parameter' },
    });

    const err = await rejection(
      client.chat.completions.create({ model: 'm', messages: [] }),
      OpenAI.BadRequestError,
    );
    expect(err.param).toBe('messages');

    expect(server.remaining()).toBe(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.body).toBeUndefined();
    expect(server.requests[2]?.body).toEqual({ model: 'm', messages: [] });
  });

  it('answers 413 to a body over the size limit', async () => {
    const small = await startLlmServer([{ kind: 'message', content: 'unused' }], { maxBodyBytes: 1024 });
    try {
      const c = new OpenAI({ baseURL: small.url, apiKey: 'test', maxRetries: 0 });
      const err = await rejection(
        c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }),
        OpenAI.APIError,
      );
      expect(err.status).toBe(413);
      expect(small.remaining()).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('lists one model named scripted and answers 404 elsewhere', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    expect(models).toEqual(['scripted']);

    const res = await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/embeddings)' } });
  });
});
