import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
} from '@langchain/core/messages';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { LlmSettings, ToolCall } from './client';

/** One streamed completion as the client needs it, whichever library made the request. */
export interface StreamedCompletion {
  id: string;
  model: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: string;
  /** Undefined when the endpoint did not report usage. */
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
}

export interface StreamRequest {
  messages: ChatCompletionMessageParam[];
  tools?: ChatCompletionTool[] | undefined;
  maxTokens: number;
  onText: (delta: string) => void;
  /** Called for every chunk received (the caller's idle timer). */
  onChunk: () => void;
  signal?: AbortSignal | undefined;
}

const text = (content: ChatCompletionMessageParam['content']): string =>
  typeof content === 'string'
    ? content
    : (content ?? []).map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('');

/** OpenAI chat messages as LangChain messages (tool calls and their results kept paired by id). */
export function toLangChain(messages: readonly ChatCompletionMessageParam[]): BaseMessage[] {
  return messages.map((m): BaseMessage => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return new SystemMessage(text(m.content));
      case 'user':
        return new HumanMessage(text(m.content));
      case 'tool':
        return new ToolMessage({ content: text(m.content), tool_call_id: m.tool_call_id });
      case 'assistant':
        return new AIMessage({
          content: text(m.content ?? ''),
          tool_calls: (m.tool_calls ?? []).flatMap((c) =>
            c.type === 'function'
              ? [{ id: c.id, name: c.function.name, args: parseArgs(c.function.arguments) }]
              : [],
          ),
        });
      default:
        return new HumanMessage(text(m.content ?? ''));
    }
  });
}

function parseArgs(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Completions through LangChain's ChatOpenAI (or AzureChatOpenAI), for teams that standardise on
 * LangChain's model layer: the same OpenAI-compatible HTTP API, streamed, with usage. LangChain's
 * own retries are off; the client's status-code retries apply to both paths alike.
 */
export class LangChainTransport {
  constructor(private readonly settings: LlmSettings) {}

  /** A model for one request: max_tokens is a constructor field in LangChain, not a call option. */
  private modelFor(maxTokens: number): ChatOpenAI {
    const s = this.settings;
    const common = {
      temperature: s.temperature,
      maxRetries: 0,
      timeout: s.timeoutMs,
      streamUsage: true,
      maxTokens,
    };
    return s.provider === 'azure'
      ? new AzureChatOpenAI({
          ...common,
          azureOpenAIApiKey: s.apiKey ?? 'none',
          azureOpenAIEndpoint: s.baseUrl,
          azureOpenAIApiDeploymentName: s.model,
          azureOpenAIApiVersion: s.apiVersion ?? '2024-10-21',
        })
      : new ChatOpenAI({
          ...common,
          model: s.model,
          apiKey: s.apiKey ?? 'none',
          configuration: { baseURL: s.baseUrl ?? 'https://api.openai.com/v1' },
        });
  }

  async stream(req: StreamRequest): Promise<StreamedCompletion> {
    const model = this.modelFor(req.maxTokens);
    const runnable = req.tools && req.tools.length > 0 ? model.bindTools(req.tools) : model;
    const stream = await runnable.stream(toLangChain(req.messages), req.signal ? { signal: req.signal } : {});
    let full: AIMessageChunk | undefined;
    for await (const chunk of stream) {
      req.onChunk();
      const delta = typeof chunk.content === 'string' ? chunk.content : '';
      if (delta) req.onText(delta);
      full = full ? full.concat(chunk) : chunk;
    }
    const msg = full ?? new AIMessageChunk({ content: '' });
    const meta: Record<string, unknown> = msg.response_metadata;
    return {
      id: msg.id ?? '',
      model: typeof meta['model_name'] === 'string' ? meta['model_name'] : this.settings.model,
      content: typeof msg.content === 'string' ? msg.content : '',
      toolCalls: (msg.tool_calls ?? []).map((c, i) => ({
        id: c.id ?? `call_${i}`,
        name: c.name,
        arguments: JSON.stringify(c.args),
      })),
      finishReason: typeof meta['finish_reason'] === 'string' ? meta['finish_reason'] : '',
      promptTokens: msg.usage_metadata?.input_tokens,
      completionTokens: msg.usage_metadata?.output_tokens,
    };
  }
}
