import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AzureOpenAI,
} from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { LangChainTransport, type StreamRequest, type StreamedCompletion } from './langchain-transport';

/** How Sleuth reaches an OpenAI-compatible endpoint (the `llm` config section). */
export interface LlmSettings {
  provider: 'openai' | 'azure';
  /** The library that makes the requests: the openai SDK (default) or LangChain's ChatOpenAI. */
  client?: 'openai-sdk' | 'langchain' | undefined;
  /** Endpoint base URL; for openai without one, https://api.openai.com/v1. */
  baseUrl?: string | undefined;
  model: string;
  apiKey?: string | undefined;
  /** Azure's api-version. */
  apiVersion?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  maxOutputTokens: number;
  temperature: number;
}

/** Why a completion could not be had; `retryable` kinds were retried before this was thrown. */
export type LlmFailure =
  | 'timeout'
  | 'rate-limited'
  | 'server-error'
  | 'connection'
  | 'rejected'
  | 'budget'
  | 'aborted'
  | 'stream-broken';

export class LlmError extends Error {
  constructor(
    readonly failure: LlmFailure,
    message: string,
    readonly status?: number,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** A tool call the model asked for, its arguments as the model wrote them (JSON text). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Completion {
  /** The endpoint's completion id. */
  id: string;
  model: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
  /** Requests made for this completion (1 without retries). */
  attempts: number;
}

/** Tokens and calls one answer may spend; shared by every completion of that answer. */
export class Budget {
  promptTokens = 0;
  completionTokens = 0;
  completions = 0;
  toolCalls = 0;

  constructor(
    readonly maxTokens: number,
    readonly maxToolCalls: number,
  ) {}

  get tokens(): number {
    return this.promptTokens + this.completionTokens;
  }

  get tokensLeft(): number {
    return Math.max(0, this.maxTokens - this.tokens);
  }

  get toolCallsLeft(): number {
    return Math.max(0, this.maxToolCalls - this.toolCalls);
  }
}

export interface CompleteRequest {
  messages: ChatCompletionMessageParam[];
  tools?: ChatCompletionTool[];
  budget: Budget;
  /** Each piece of answer text as it arrives (the completion streams). */
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

/** Statuses worth asking again: timeouts, conflicts, rate limits and server errors. */
const RETRY_STATUS = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * One OpenAI-compatible endpoint, through the `openai` SDK (OpenAI, Azure OpenAI, vLLM, Ollama,
 * llama.cpp, LM Studio...). Completions stream, so answer text reaches the user as it is written,
 * and usage is asked for in the stream. Retries are Sleuth's own (the SDK's are off), decided by
 * status code: 408, 409, 429 and 5xx, timeouts and dropped connections are retried up to
 * `maxRetries` times with exponential backoff, honouring Retry-After; anything else fails at once.
 * A stream that breaks after text was delivered is not retried (the text would repeat).
 *
 * Nothing is read from the environment: the SDK's OPENAI_API_KEY and OPENAI_BASE_URL defaults are
 * overridden, so an endpoint is used only when configured.
 */
/** Completions through the openai SDK's streaming chat API, usage included. */
class SdkTransport {
  private readonly sdk: OpenAI;

  constructor(private readonly settings: LlmSettings) {
    const common = { apiKey: settings.apiKey ?? 'none', timeout: settings.timeoutMs, maxRetries: 0 };
    this.sdk =
      settings.provider === 'azure'
        ? new AzureOpenAI({
            ...common,
            endpoint: settings.baseUrl,
            apiVersion: settings.apiVersion ?? '2024-10-21',
            deployment: settings.model,
          })
        : new OpenAI({ ...common, baseURL: settings.baseUrl ?? 'https://api.openai.com/v1' });
  }

  async stream(req: StreamRequest): Promise<StreamedCompletion> {
    const stream = await this.sdk.chat.completions.create(
      {
        model: this.settings.model,
        messages: req.messages,
        ...(req.tools && req.tools.length > 0 ? { tools: req.tools } : {}),
        max_tokens: req.maxTokens,
        temperature: this.settings.temperature,
        stream: true,
        stream_options: { include_usage: true },
      },
      req.signal ? { signal: req.signal } : {},
    );
    let id = '';
    let model = this.settings.model;
    let content = '';
    let finishReason = '';
    let usage: ChatCompletionChunk['usage'];
    const calls = new Map<number, ToolCall>();
    for await (const chunk of stream) {
      req.onChunk();
      id ||= chunk.id;
      model = chunk.model || model;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        const d = choice.delta;
        if (d.content) {
          content += d.content;
          req.onText(d.content);
        }
        for (const tc of d.tool_calls ?? []) {
          const call = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name += tc.function.name;
          if (tc.function?.arguments) call.arguments += tc.function.arguments;
          calls.set(tc.index, call);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    }
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, c]) => ({ ...c, id: c.id || `call_${id}_${i}` }));
    return {
      id,
      model,
      content,
      toolCalls,
      finishReason,
      promptTokens: usage?.prompt_tokens,
      completionTokens: usage?.completion_tokens,
    };
  }
}

export class LlmClient {
  private readonly transport: { stream(req: StreamRequest): Promise<StreamedCompletion> };

  constructor(
    readonly settings: LlmSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.transport =
      settings.client === 'langchain' ? new LangChainTransport(settings) : new SdkTransport(settings);
  }

  /** The endpoint and model, for logs and stored answers (never the key). */
  get label(): string {
    return `${this.settings.provider}${this.settings.client === 'langchain' ? '+langchain' : ''}:${this.settings.model}`;
  }

  /**
   * One completion, retried as described on the class. Throws `LlmError` when the endpoint cannot
   * give one or the budget has no tokens left; counts the usage on `budget` either way.
   */
  async complete(req: CompleteRequest): Promise<Completion> {
    if (req.budget.tokensLeft <= 0)
      throw new LlmError('budget', `token budget of ${req.budget.maxTokens} spent`);
    let attempt = 0;
    for (;;) {
      attempt++;
      let delivered = false;
      // The SDK's timeout ends once the response headers arrive: a stream that then goes quiet
      // would hold the answer (and its slot) for ever. Each attempt aborts after timeoutMs without
      // a chunk, and the caller's abort ends it too.
      const attemptAbort = new AbortController();
      let stalled = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const arm = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          stalled = true;
          attemptAbort.abort();
        }, this.settings.timeoutMs);
      };
      const forward = (): void => attemptAbort.abort();
      req.signal?.addEventListener('abort', forward, { once: true });
      arm();
      try {
        const c = await this.once(req, attemptAbort.signal, arm, () => {
          delivered = true;
        });
        req.budget.completions++;
        return { ...c, attempts: attempt };
      } catch (err) {
        const failure = stalled ? 'timeout' : classify(err, req.signal);
        const status = statusOf(err);
        const retryable =
          !delivered &&
          (failure === 'timeout' ||
            failure === 'connection' ||
            (status !== undefined && RETRY_STATUS(status)));
        if (!retryable || attempt > this.settings.maxRetries) {
          const what = stalled
            ? `no data for ${this.settings.timeoutMs} ms`
            : status !== undefined
              ? `${status} ${errorText(err)}`
              : errorText(err);
          throw new LlmError(
            delivered ? 'stream-broken' : failure,
            `${this.label}: ${what}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
            status,
            attempt,
          );
        }
        await this.sleep(backoffMs(err, attempt));
        if (req.signal?.aborted) throw new LlmError('aborted', 'aborted', undefined, attempt);
      } finally {
        clearTimeout(idle);
        req.signal?.removeEventListener('abort', forward);
      }
    }
  }

  private async once(
    req: CompleteRequest,
    signal: AbortSignal,
    onChunk: () => void,
    onDelivered: () => void,
  ): Promise<Omit<Completion, 'attempts'>> {
    const c = await this.transport.stream({
      messages: req.messages,
      tools: req.tools,
      maxTokens: Math.min(this.settings.maxOutputTokens, req.budget.tokensLeft),
      onChunk,
      onText: (delta) => {
        onDelivered();
        req.onText?.(delta);
      },
      signal,
    });
    // LangChain ends an aborted stream quietly: what arrived is not the whole completion.
    if (signal.aborted) throw new Error('the completion was aborted before it ended');
    // Servers that do not report usage are estimated (4 characters a token), so budgets still hold.
    const promptTokens = c.promptTokens ?? Math.ceil(JSON.stringify(req.messages).length / 4);
    const completionTokens =
      c.completionTokens ??
      Math.ceil((c.content.length + c.toolCalls.reduce((n, t) => n + t.arguments.length, 0)) / 4);
    req.budget.promptTokens += promptTokens;
    req.budget.completionTokens += completionTokens;
    return { ...c, promptTokens, completionTokens };
  }
}

/** The HTTP status of an SDK error (the SDK's generic error class types it loosely). */
function statusOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || !('status' in err)) return undefined;
  const status: unknown = err.status;
  return typeof status === 'number' ? status : undefined;
}

function headerOf(err: unknown, name: string): string | null {
  if (!(err instanceof Error) || !('headers' in err)) return null;
  const headers: unknown = err.headers;
  return headers instanceof Headers ? headers.get(name) : null;
}

function classify(err: unknown, signal: AbortSignal | undefined): LlmFailure {
  if (signal?.aborted || err instanceof APIUserAbortError) return 'aborted';
  if (err instanceof APIConnectionTimeoutError) return 'timeout';
  // LangChain rethrows the SDK's timeouts and aborts as plain errors named for them.
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  if (err instanceof APIConnectionError) return 'connection';
  const status = statusOf(err);
  if (status !== undefined) {
    if (status === 429) return 'rate-limited';
    if (status === 408) return 'timeout';
    if (status >= 500) return 'server-error';
    return 'rejected';
  }
  // A stream cut mid-way surfaces as a plain error from the body reader.
  return 'connection';
}

function errorText(err: unknown): string {
  if (err instanceof APIError) {
    const e = err.error as { message?: unknown } | undefined;
    return typeof e?.message === 'string' ? e.message : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Retry-After (seconds or an HTTP date) when the endpoint sent one, else 0.5 s doubling, jittered. */
export function backoffMs(err: unknown, attempt: number, nowMs = Date.now()): number {
  const header = headerOf(err, 'retry-after');
  if (header) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
    if (Number.isFinite(ms)) return Math.min(MAX_BACKOFF_MS, Math.max(0, ms));
  }
  const base = 500 * 2 ** (attempt - 1);
  return Math.min(MAX_BACKOFF_MS, base / 2 + Math.random() * (base / 2));
}
