import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../lib/api/types';
import ChatStream from './ChatStream.svelte';

/** A response body the test writes Server-Sent Events into, one chunk at a time. */
function sseBody() {
  const enc = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  let seq = 0;
  return {
    stream,
    raw: (text: string) => controller.enqueue(enc.encode(text)),
    send: (event: string, data: unknown) =>
      controller.enqueue(enc.encode(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    close: () => controller.close(),
  };
}

/** Lets the stream's reads run, then renders; until `check` holds or it is clearly not coming. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    if (check()) return;
  }
  throw new Error(`not shown: ${document.body.textContent}`);
}

const text = (): string => document.body.textContent ?? '';

const answer: ChatMessage = {
  id: 'msg_2',
  conversationId: 'conv_1',
  role: 'assistant',
  text: 'The cart pods are OOM-killed.',
  createdMs: 1_700_000_000_000,
  answer: {
    origin: 'llm',
    model: 'openai:gpt-4o-mini',
    prompts: ['chat@1'],
    toolCalls: [{ name: 'search_logs', arguments: '{"q":"OOMKilled"}', status: 'ok', note: '2 lines' }],
    notes: [],
    createdMs: 1_700_000_000_000,
    durationMs: 4200,
    answer: {
      summary: 'The cart pods are OOM-killed.',
      rootCause: {
        resource: { cluster: 'eu', namespace: 'shop', kind: 'Deployment', name: 'cart' },
        failureMode: 'oom-killed',
        hypothesis: 'The memory limit of 128Mi is below the working set.',
      },
      confidence: 0.86,
      evidence: [
        { id: 'log:l1', signal: { kind: 'log', ids: ['l1', 'l2'] }, summary: 'OOMKilled in the kernel log' },
        { id: 'alert:alt_1', signal: { kind: 'alert', id: 'alt_1' }, summary: 'KubePodCrashLooping fired' },
      ],
      nextSteps: ['kubectl -n shop describe deploy/cart'],
      proposedFix: null,
    },
  },
};

describe('ChatStream', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    app = undefined;
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('shows tokens as they stream, tool calls as steps, a restart, then the cited answer', async () => {
    const body = sseBody();
    const fetchMock = vi.fn((_url: string, _init: RequestInit) =>
      Promise.resolve(
        new Response(body.stream, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    app = mount(ChatStream, {
      target: document.body,
      props: { conversationId: 'conv_1', text: 'what is wrong with shop/deploy/cart?' },
    });
    flushSync();
    expect(text()).toContain('what is wrong with shop/deploy/cart?');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/v1/conversations/conv_1/messages');
    expect(new Headers(init.headers).get('accept')).toBe('text/event-stream');

    body.send('question', {
      ...answer,
      id: 'msg_1',
      role: 'user',
      text: 'what is wrong with shop/deploy/cart?',
    });
    body.raw(': heartbeat\n\n');
    body.send('tool_call', {
      name: 'search_logs',
      arguments: '{"q":"OOMKilled"}',
      status: 'ok',
      note: '2 lines',
    });
    await until(() => document.querySelector('[data-testid="tool-step"]') !== null);
    const step = document.querySelector('details[data-testid="tool-step"]')!;
    expect(step.querySelector('summary')?.textContent).toContain('search_logs');
    expect(step.querySelector('summary')?.textContent).toContain('ok');
    expect(step.hasAttribute('open')).toBe(false);
    expect(step.textContent).toContain('"q": "OOMKilled"');

    body.send('token', { text: 'The cart pods' });
    await until(() => text().includes('The cart pods'));
    // A token split across two chunks still arrives whole.
    body.raw('event: token\ndata: {"text":" are thrott');
    body.raw('led."}\n\n');
    await until(() => text().includes('The cart pods are throttled.'));

    body.send('restart', {});
    await until(() => text().includes('being rewritten'));
    expect(text()).not.toContain('throttled');

    body.send('token', { text: 'The cart pods are OOM' });
    await until(() => text().includes('The cart pods are OOM'));
    expect(text()).not.toContain('being rewritten');

    body.send('answer', answer);
    body.close();
    await until(() => document.querySelector('[data-testid="chat-answer"]') !== null);
    const shown = document.querySelector('[data-testid="chat-answer"]')!.textContent ?? '';
    expect(shown).toContain('oom-killed');
    expect(shown).toContain('86%');
    expect(shown).toContain('openai:gpt-4o-mini');
    const citations = [...document.querySelectorAll('[data-testid="citation"]')];
    expect(citations).toHaveLength(2);
    expect(citations[0]!.querySelector('a')?.getAttribute('href')).toBe('/logs?ids=l1,l2');
    expect(citations[0]!.textContent).toContain('OOMKilled in the kernel log');
    expect(citations[1]!.querySelector('a')?.getAttribute('href')).toBe('/alerts?id=alt_1');
    expect(shown).toContain('kubectl -n shop describe deploy/cart');
  });

  it('says the server is busy and when to retry on 429', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          new Response(
            JSON.stringify({ error: { code: 'overloaded', message: '4 questions are being answered' } }),
            {
              status: 429,
              headers: { 'content-type': 'application/json', 'retry-after': '7' },
            },
          ),
        ),
      ),
    );
    app = mount(ChatStream, { target: document.body, props: { conversationId: 'conv_1', text: 'why?' } });
    await until(() => document.querySelector('[role="alert"]') !== null);
    expect(document.querySelector('[role="alert"]')?.textContent).toMatch(/busy.*retry in 7 s/);
  });

  it('shows the error the stream ends with', async () => {
    const body = sseBody();
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response(body.stream, { status: 200 }))),
    );
    app = mount(ChatStream, { target: document.body, props: { conversationId: 'conv_1', text: 'why?' } });
    body.send('error', { error: 'answering failed; the server log has the details' });
    body.close();
    await until(() => document.querySelector('[role="alert"]') !== null);
    expect(document.querySelector('[role="alert"]')?.textContent).toContain(
      'answering failed; the server log has the details',
    );
  });
});
