import { describe, expect, it } from 'vitest';
import { SseParser, readSse, type SseEvent } from './sse-parse';

function feed(chunks: string[]): SseEvent[] {
  const p = new SseParser();
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()];
}

function bodyOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === 'string' ? enc.encode(c) : c);
      controller.close();
    },
  });
}

describe('SseParser', () => {
  it('reads the events of the chat stream, split across chunks anywhere', () => {
    const text =
      'id: 1\nevent: token\ndata: {"text":"The cart"}\n\n' +
      'id: 2\nevent: token\ndata: {"text":" pods are OOM-killed."}\n\n' +
      'id: 3\nevent: answer\ndata: {"id":"m_2"}\n\n';
    const whole = feed([text]);
    expect(whole.map((e) => [e.event, e.data, e.id])).toEqual([
      ['token', '{"text":"The cart"}', '1'],
      ['token', '{"text":" pods are OOM-killed."}', '2'],
      ['answer', '{"id":"m_2"}', '3'],
    ]);
    // Every split point, including inside a field name and between CR and LF, gives the same events.
    for (let i = 1; i < text.length; i++) expect(feed([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(feed([...text])).toEqual(whole);
  });

  it('joins multi-line data with newlines and accepts CRLF and CR line ends', () => {
    expect(feed(['event: answer\r\ndata: line one\r\ndata: line two\r\n\r\n'])).toEqual([
      { event: 'answer', data: 'line one\nline two' },
    ]);
    expect(feed(['data: a\rdata:b\r', '\r'])).toEqual([{ event: 'message', data: 'a\nb' }]);
    expect(feed(['data: a\r', '\ndata: b\r\n', '\r\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('ignores comments (heartbeats), unknown fields, retry and events without data', () => {
    expect(
      feed([
        ': heartbeat\n\n',
        'retry: 3000\nfoo: bar\n\n',
        'event: restart\n\n',
        ':ping\nevent: restart\ndata: {}\n\n',
      ]),
    ).toEqual([{ event: 'restart', data: '{}' }]);
  });

  it('drops an event the stream ended before its blank line', () => {
    expect(feed(['event: token\ndata: {"text":"cut"}\n'])).toEqual([]);
  });

  it('keeps a space after the colon only beyond the first one', () => {
    expect(feed(['data:  two spaces\n\n'])).toEqual([{ event: 'message', data: ' two spaces' }]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split inside a character and yields the events in order', async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"Pod redémarré ✓"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    const events: SseEvent[] = [];
    for await (const e of readSse(bodyOf([bytes.slice(0, cut), bytes.slice(cut)]))) events.push(e);
    expect(events).toEqual([{ event: 'token', data: '{"text":"Pod redémarré ✓"}' }]);
  });
});
