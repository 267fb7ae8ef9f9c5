import { ApiError, apiUrl, failure, getJson, sendJson, writeHeaders, type RequestOptions } from './http';
import type { ChatMessage, Conversation, ResourceRef, ToolCallRecord } from './types';
import { readSse } from '../sse-parse';

/** What a new conversation is about; every question in it inherits it. */
export interface ConversationPin {
  incidentId?: string | undefined;
  resource?: ResourceRef | undefined;
}

export async function listConversations(
  filters: { incident?: string | undefined; limit?: number | undefined } = {},
  opts?: RequestOptions,
): Promise<Conversation[]> {
  const body = await getJson<{ conversations: Conversation[] }>('/conversations', { ...filters }, opts);
  return body.conversations;
}

export function getConversation(
  id: string,
  opts?: RequestOptions,
): Promise<{ conversation: Conversation; messages: ChatMessage[] }> {
  return getJson(`/conversations/${encodeURIComponent(id)}`, {}, opts);
}

export async function createConversation(
  input: { title?: string | undefined; pin?: ConversationPin | undefined } = {},
  opts?: RequestOptions,
): Promise<Conversation> {
  const body = await sendJson<{ conversation: Conversation }>('POST', '/conversations', input, opts);
  return body.conversation;
}

/** What an answer stream tells as it goes (the server's SSE events, docs/llm.md "Chat API"). */
export interface AnswerStreamHandlers {
  /** The question as stored. */
  onQuestion?: (message: ChatMessage) => void;
  /** A tool the LLM called, once it returned. */
  onToolCall?: (call: ToolCallRecord) => void;
  /** A piece of the answer's summary as it is written. */
  onToken?: (text: string) => void;
  /** The text so far is void: the answer is being written again. */
  onRestart?: () => void;
}

/** The answer stream ended with an `error` event: the server's sentence for what went wrong. */
export class AnswerStreamError extends Error {
  override name = 'AnswerStreamError';
}

function parse<T>(data: string, event: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new AnswerStreamError(`the server sent a ${event} event that is not JSON`);
  }
}

/**
 * Asks a question in a conversation and follows the answer as it streams; resolves with the stored
 * answer message. Throws `ApiError` for an HTTP failure (429 carries `retryAfterSeconds`),
 * `AnswerStreamError` when the server reports a failure mid-stream or the stream ends without an
 * answer, and the `AbortError` when `signal` aborts.
 */
export async function askStreaming(
  conversationId: string,
  text: string,
  handlers: AnswerStreamHandlers = {},
  opts: RequestOptions = {},
): Promise<ChatMessage> {
  let res: Response;
  try {
    res = await fetch(apiUrl(`/conversations/${encodeURIComponent(conversationId)}/messages`), {
      method: 'POST',
      headers: writeHeaders('text/event-stream'),
      body: JSON.stringify({ text }),
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'Sleuth does not answer: is the server running?');
  }
  if (!res.ok) throw await failure(res);
  if (!res.body) throw new AnswerStreamError('the server answered without a body');
  for await (const ev of readSse(res.body, opts.signal)) {
    switch (ev.event) {
      case 'question':
        handlers.onQuestion?.(parse<ChatMessage>(ev.data, ev.event));
        break;
      case 'tool_call':
        handlers.onToolCall?.(parse<ToolCallRecord>(ev.data, ev.event));
        break;
      case 'token':
        handlers.onToken?.(parse<{ text: string }>(ev.data, ev.event).text);
        break;
      case 'restart':
        handlers.onRestart?.();
        break;
      case 'answer':
        return parse<ChatMessage>(ev.data, ev.event);
      case 'error':
        throw new AnswerStreamError(parse<{ error: string }>(ev.data, ev.event).error);
      default:
        break;
    }
  }
  if (opts.signal?.aborted) throw new DOMException('the answer was stopped', 'AbortError');
  throw new AnswerStreamError('the answer stream ended before the answer came: ask again');
}
