import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }).optional(),
});
const chatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
});
const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z
    .array(
      z.looseObject({
        type: z.string(),
        function: z
          .looseObject({
            name: z.string(),
            description: z.string().optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/** A `POST /v1/chat/completions` body that passed the server's validation; unknown keys are kept. */
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** One HTTP request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** The URL path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON; `undefined` when empty, not JSON or over the size limit. */
  body: unknown;
  /** The body typed as a chat-completion request, set only when it was one and passed validation. */
  chat: ChatRequest | undefined;
  /** The body as received (empty when over the size limit). */
  raw: string;
  /** When the request arrived, in epoch milliseconds. */
  atMs: number;
}

/** What the server answers to one chat completion. */
export type ScriptStep =
  | { kind: 'message'; content: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  /** `arguments` is JSON-encoded on the wire; a string is sent verbatim (to script malformed arguments). */
  | { kind: 'tool_calls'; calls: { name: string; arguments: unknown }[]; content?: string }
  /** An error status; `body` replaces the default OpenAI-style error (a string is sent as plain text). */
  | { kind: 'status'; status: number; body?: unknown; retryAfterSeconds?: number }
  /** Accepts the request and never answers; `close()` ends it. */
  | { kind: 'hang' }
  /** Streaming: answer 200 with the first chunk (and `content`, if any), then go silent until close. */
  | { kind: 'stall'; content?: string }
  /** Decides the answer from the request, e.g. to echo a tool result. If `respond` throws, the server answers 500. */
  | { kind: 'reply'; respond: (req: RecordedRequest) => Exclude<ScriptStep, { kind: 'reply' }> };

/** A scripted OpenAI-compatible endpoint on 127.0.0.1 with a random port. */
export interface LlmTestServer {
  /** Base URL for the SDK's `baseURL`, ending in `/v1`. */
  url: string;
  /** Every request received, in order, including those answered with an error status. */
  requests: RecordedRequest[];
  /**
   * Appends steps. Each valid `POST /v1/chat/completions` consumes the next one; a request that fails
   * validation (400, 413) consumes none. With no step left the server answers 500 `script_exhausted`.
   */
  push(...steps: ScriptStep[]): void;
  /** How many steps are still unconsumed. */
  remaining(): number;
  /** Stops listening and ends every open connection, hanging requests included. Safe to call twice. */
  close(): Promise<void>;
}

export interface LlmServerOptions {
  /** Larger request bodies are answered 413. Default 8 MiB. */
  maxBodyBytes?: number;
}

/** The only model `GET /v1/models` lists; chat completions echo whatever model the request names. */
export const SCRIPTED_MODEL = 'scripted';

type Answer = { content: string | null; calls: { id: string; name: string; arguments: string }[] };
type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

let completionCounter = 0;
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached (scripted).' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded (scripted).' },
};

function errorBody(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function defaultErrorBody(status: number) {
  const d = ERROR_DEFAULTS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Scripted status ${status}.`,
  };
  return errorBody(d.message, d.type, d.code);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'x-request-id': `req_${hex(12)}`,
    ...headers,
  });
  res.end(text);
}

/** Reads the whole body, keeping at most `limit` bytes; the rest is drained so the client sees the answer. */
function readBody(req: IncomingMessage, limit: number): Promise<{ raw: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () =>
      resolve({ raw: size > limit ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit }),
    );
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  try {
    const value: unknown = raw === '' ? undefined : JSON.parse(raw);
    return value;
  } catch {
    return undefined;
  }
}

/** The body as a typed chat request, or the OpenAI-style 400 body for the first problem found in it. */
function checkChatRequest(body: unknown): { chat: ChatRequest } | { error: ReturnType<typeof errorBody> } {
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'We could not parse the JSON body of your request: the API expects a JSON object.';
    return { error: errorBody(message, 'invalid_request_error', null) };
  }
  const parsed = chatRequestSchema.safeParse(body, { reportInput: true });
  if (parsed.success) return { chat: parsed.data };
  const issue = parsed.error.issues[0];
  const param =
    issue?.path
      .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`))
      .join('') || null;
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  const message = missing
    ? `Missing required parameter: '${param}'.`
    : `Invalid '${param}': ${issue?.message}.`;
  const code = missing ? 'missing_required_parameter' : 'invalid_value';
  return { error: errorBody(message, 'invalid_request_error', code, param) };
}

function toAnswer(step: Extract<ScriptStep, { kind: 'message' | 'tool_calls' }>): Answer {
  if (step.kind === 'message') return { content: step.content, calls: [] };
  return {
    content: step.content ?? null,
    calls: step.calls.map((c) => ({
      id: `call_${++completionCounter}_${hex(6)}`,
      name: c.name,
      arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
    })),
  };
}

function usageOf(step: ScriptStep, raw: string, answer: Answer): Usage {
  const scripted = step.kind === 'message' ? step.usage : undefined;
  const completionChars =
    (answer.content ?? '').length + answer.calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  const prompt = scripted?.prompt_tokens ?? Math.ceil(raw.length / 4);
  const completion = scripted?.completion_tokens ?? Math.ceil(completionChars / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Splits text into token-like pieces: up to four characters of a word with the whitespace before it. */
function pieces(text: string, pattern = /\s*\S{1,4}|\s+/gu): string[] {
  return text.match(pattern) ?? [];
}

function completionBody(id: string, model: string, answer: Answer, usage: Usage) {
  const toolCalls = answer.calls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage,
  };
}

async function streamCompletion(
  res: ServerResponse,
  id: string,
  model: string,
  answer: Answer,
  usage: Usage | undefined,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `req_${hex(12)}`,
  });
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model };
  // The real API puts `usage: null` on every chunk when usage was asked for, and the totals on a last one.
  const usageField = usage ? { usage: null } : {};
  const send = async (choices: unknown[], extra: object = usageField): Promise<boolean> => {
    if (res.destroyed) return false;
    res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`);
    await nextTurn(); // one write per event, so a reader sees tokens arrive one by one
    return !res.destroyed;
  };
  const delta = (d: object, finish: string | null = null) => [
    { index: 0, delta: d, logprobs: null, finish_reason: finish },
  ];
  if (!(await send(delta({ role: 'assistant', content: '', refusal: null })))) return;
  for (const piece of pieces(answer.content ?? '')) if (!(await send(delta({ content: piece })))) return;
  for (const [index, call] of answer.calls.entries()) {
    const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    if (!(await send(delta({ tool_calls: [head] })))) return;
    for (const part of pieces(call.arguments, /[\s\S]{1,6}/gu)) {
      if (!(await send(delta({ tool_calls: [{ index, function: { arguments: part } }] })))) return;
    }
  }
  if (!(await send(delta({}, answer.calls.length > 0 ? 'tool_calls' : 'stop')))) return;
  if (usage && !(await send([], { usage }))) return;
  res.end('data: [DONE]\n\n');
}

/**
 * Starts a scripted OpenAI-compatible server (chat completions, streaming or not, and `GET /v1/models`)
 * on 127.0.0.1 with a random port. Each completion and each tool call gets a unique id.
 */
export async function startLlmServer(
  steps: ScriptStep[] = [],
  options: LlmServerOptions = {},
): Promise<LlmTestServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const script = [...steps];
  const requests: RecordedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const atMs = Date.now();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const { raw, tooLarge } = await readBody(req, maxBodyBytes);
    const recorded: RecordedRequest = {
      method,
      path,
      headers: { ...req.headers },
      body: parseJson(raw),
      chat: undefined,
      raw,
      atMs,
    };
    requests.push(recorded);

    if (method === 'GET' && path === '/v1/models') {
      const model = { id: SCRIPTED_MODEL, object: 'model', created: 0, owned_by: 'sleuth-test' };
      return sendJson(res, 200, { object: 'list', data: [model] });
    }
    if (method !== 'POST' || path !== '/v1/chat/completions') {
      const message = `Invalid URL (${method} ${path})`;
      return sendJson(res, 404, errorBody(message, 'invalid_request_error', null));
    }
    if (tooLarge) {
      const message = `Request body exceeds the ${maxBodyBytes}-byte limit.`;
      return sendJson(res, 413, errorBody(message, 'invalid_request_error', 'request_too_large'));
    }
    const checked = checkChatRequest(recorded.body);
    if ('error' in checked) return sendJson(res, 400, checked.error);
    const chat = (recorded.chat = checked.chat);

    let step = script.shift();
    if (step === undefined) {
      const message = `LLM test server: script exhausted; request ${requests.length} (POST ${path}) found no scripted step left. push() more steps.`;
      // A test bug, not a transient failure: tell SDKs not to retry it.
      return sendJson(res, 500, errorBody(message, 'server_error', 'script_exhausted'), {
        'x-should-retry': 'false',
      });
    }
    if (step.kind === 'reply') {
      try {
        step = step.respond(recorded);
      } catch (err) {
        const message = `LLM test server: a reply step threw: ${err instanceof Error ? err.message : String(err)}`;
        return sendJson(res, 500, errorBody(message, 'server_error', 'script_error'));
      }
    }
    switch (step.kind) {
      case 'hang':
        return; // close() ends the connection
      case 'stall': {
        const id = `chatcmpl-${++completionCounter}-${hex(8)}`;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        });
        const chunk = (delta: object) =>
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: chat.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: '' }));
        if (step.content) res.write(chunk({ content: step.content }));
        return; // headers and a first chunk sent; nothing more until close()
      }
      case 'status': {
        const headers: Record<string, string> =
          step.retryAfterSeconds === undefined ? {} : { 'retry-after': String(step.retryAfterSeconds) };
        return sendJson(res, step.status, step.body ?? defaultErrorBody(step.status), headers);
      }
      case 'message':
      case 'tool_calls': {
        const id = `chatcmpl-${++completionCounter}-${hex(8)}`;
        const answer = toAnswer(step);
        const usage = usageOf(step, raw, answer);
        if (!chat.stream) return sendJson(res, 200, completionBody(id, chat.model, answer, usage));
        const wantsUsage = chat.stream_options?.include_usage === true;
        return streamCompletion(res, id, chat.model, answer, wantsUsage ? usage : undefined);
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const message = `LLM test server failed: ${err instanceof Error ? err.message : String(err)}`;
      sendJson(res, 500, errorBody(message, 'server_error', null));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('LLM test server has no TCP address');

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    push: (...more) => void script.push(...more),
    remaining: () => script.length,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
