/**
 * Server-Sent Events read from a fetch body (EventSource cannot POST): the text/event-stream format
 * of the HTML standard, fed in chunks that may split a line, a field or a UTF-8 character anywhere.
 */
export interface SseEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
  id?: string;
}

/**
 * Turns text chunks into events. Lines end in LF, CRLF or CR; a blank line dispatches the event
 * gathered so far; lines starting with `:` are comments (heartbeats); an event without data is
 * dropped, as the standard says.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private hasData = false;
  private event = '';
  private id: string | undefined;
  private first = true;
  /** A CR ended the last chunk: an LF opening the next one belongs to it. */
  private pendingCr = false;

  /** Feeds a chunk of text; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** The stream ended: an event not closed by a blank line is incomplete and dropped. */
  end(): SseEvent[] {
    this.buffer = '';
    this.reset();
    return [];
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        // `retry` and unknown fields: nothing to do for a one-shot stream.
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const ev: SseEvent | undefined = this.hasData
      ? {
          event: this.event || 'message',
          data: this.data.join('\n'),
          ...(this.id === undefined ? {} : { id: this.id }),
        }
      : undefined;
    this.reset();
    return ev;
  }

  private reset(): void {
    this.data = [];
    this.hasData = false;
    this.event = '';
  }
}

/** The events of a response body, in order, until it ends (or `signal` aborts the read). */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}
