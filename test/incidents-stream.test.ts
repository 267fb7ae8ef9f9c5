import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '@sleuth/core';
import { anomaly, crashingPod, MIN, pod } from './support/incidents';
import { getJson, startTestServer, type TestServer } from './support/server';

/** The live stream of incident changes, fed by the real incident pipeline (correlator → analyzers → store). */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reads Server-Sent Events from a stream until `stop` is called or the server ends it. */
function subscribe(path: string): {
  events: { event: string; data: Record<string, unknown> }[];
  comments: string[];
  ended: Promise<void>;
  stop: () => void;
  status: Promise<{ status: number; type: string | null }>;
} {
  const controller = new AbortController();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const comments: string[] = [];
  let resolveStatus: (s: { status: number; type: string | null }) => void = () => undefined;
  const status = new Promise<{ status: number; type: string | null }>((r) => (resolveStatus = r));
  const ended = (async () => {
    const res = await fetch(server.url + path, { signal: controller.signal });
    resolveStatus({ status: res.status, type: res.headers.get('content-type') });
    const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(':')) comments.push(block.slice(1).trim());
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return { events, comments, ended, stop: () => controller.abort(), status };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /api/v1/incidents/stream', () => {
  it('sends an event when the pipeline opens an incident and when it resolves it, for the asked cluster only', async () => {
    const c = 'live';
    const now = Date.now();
    // The server's own listeners (automatic investigations) stay subscribed.
    const own = server.incidentFeed.subscribers;
    await server.store.writeBatch({
      logs: [],
      metrics: [],
      spans: [],
      events: [],
      objects: crashingPod(c, now - 2 * MIN),
    });
    const mine = subscribe(`/api/v1/incidents/stream?cluster=${c}`);
    const other = subscribe('/api/v1/incidents/stream?cluster=elsewhere');
    expect(await mine.status).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' });
    await until(
      'the stream to start',
      () => mine.comments.includes('connected') && other.comments.includes('connected'),
    );

    const pipeline = server.incidents;
    const restarts = anomaly('anm_live', pod(c, 'api-7f9c-x1'), now - MIN, { lastSeenMs: now });
    await pipeline.anomalies([restarts]);
    await until('the opened event', () => mine.events.length >= 1);
    const opened = mine.events[0]!;
    expect(opened.event).toBe('incident');
    expect(opened.data).toMatchObject({
      change: 'opened',
      status: 'open',
      clusters: [c],
      anomalies: 1,
      topRootCause: { failureMode: 'crash-loop', resource: { kind: 'Pod', name: 'api-7f9c-x1' } },
    });
    const id = String(opened.data['id']);
    expect((await getJson<Incident>(server.url, `/api/v1/incidents/${id}`)).status).toBe('open');

    await pipeline.anomalies([{ ...restarts, endMs: now }]);
    await pipeline.tick(now + 10 * MIN);
    await until('the resolved event', () => mine.events.some((e) => e.data['change'] === 'resolved'));
    expect(mine.events.map((e) => `${String(e.data['change'])} ${String(e.data['id'])}`)).toEqual([
      `opened ${id}`,
      `resolved ${id}`,
    ]);
    expect(other.events).toEqual([]);
    expect(server.incidentFeed.subscribers).toBe(own + 2);
    mine.stop();
    other.stop();
    await Promise.all([mine.ended, other.ended]);
    // A client that goes away is unsubscribed: nothing keeps writing to a closed connection.
    await until('the streams to unsubscribe', () => server.incidentFeed.subscribers === own);
  });

  it('rejects a bad filter with 400 and ends open streams when the server stops', async () => {
    const res = await get('/api/v1/incidents/stream?status=closed');
    expect(res.status).toBe(400);
    expect((res.body['error'] as { message: string }).message).toContain('querystring.status');

    const own = await startTestServer();
    const res2 = await fetch(`${own.url}/api/v1/incidents/stream`);
    const reader: ReadableStreamDefaultReader<Uint8Array> = res2.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(': connected\n\n');
    const started = Date.now();
    await own.dispose();
    // The stream ends (done), not hangs until a timeout, and stop does not wait for the client.
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
