import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ExportLogsServiceRequest } from '../otlp/types';
import { HttpOtlpTransport, parseRetryAfter } from './http-otlp-transport';
import { OtlpExportError } from './otlp-transport';

const request: ExportLogsServiceRequest = { resourceLogs: [] };

interface Call {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A fetch that answers from a script of responses and records what it was sent. */
function scriptedFetch(responses: (Response | Error)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const body = init?.body;
    calls.push({
      url: input instanceof Request ? input.url : input.toString(),
      headers: Object.fromEntries(headers.entries()),
      body: body instanceof Uint8Array ? body : new Uint8Array(),
    });
    const next = responses.shift() ?? new Response(null, { status: 200 });
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch: impl, calls };
}

function transport(
  responses: (Response | Error)[],
  extra: Partial<ConstructorParameters<typeof HttpOtlpTransport>[0]> = {},
) {
  const waits: number[] = [];
  const { fetch, calls } = scriptedFetch(responses);
  const t = new HttpOtlpTransport({
    url: 'http://127.0.0.1:7070/',
    fetch,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...extra,
  });
  return { t, calls, waits };
}

describe('HttpOtlpTransport', () => {
  it('POSTs OTLP/JSON to {url}/v1/{signal}', async () => {
    const { t, calls } = transport([new Response('{}', { status: 200 })]);
    await t.send('logs', request);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://127.0.0.1:7070/v1/logs');
    expect(calls[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(Buffer.from(calls[0]?.body ?? []).toString('utf8'))).toEqual(request);
  });

  it('sends protobuf from the injected encoder, gzipped when asked', async () => {
    const { t, calls } = transport([new Response(null, { status: 200 })], {
      encode: (signal) => new TextEncoder().encode(`proto:${signal}`),
      gzip: true,
    });
    await t.send('metrics', { resourceMetrics: [] });
    expect(calls[0]?.url).toBe('http://127.0.0.1:7070/v1/metrics');
    expect(calls[0]?.headers['content-type']).toBe('application/x-protobuf');
    expect(calls[0]?.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(calls[0]?.body ?? new Uint8Array()).toString()).toBe('proto:metrics');
  });

  it('waits for Retry-After on 429 and retries', async () => {
    const { t, calls, waits } = transport([
      new Response('queue full', { status: 429, headers: { 'retry-after': '2' } }),
      new Response(null, { status: 200 }),
    ]);
    await t.send('traces', { resourceSpans: [] });
    expect(calls).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });

  it('backs off exponentially on 503 and network errors, then gives up', async () => {
    const { t, calls, waits } = transport(
      [
        new Response(null, { status: 503 }),
        new Error('ECONNREFUSED'),
        new Response(null, { status: 503 }),
        new Response(null, { status: 503 }),
      ],
      { maxRetries: 3, initialBackoffMs: 100 },
    );
    const err = await t.send('logs', request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtlpExportError);
    expect(err).toMatchObject({ kind: 'retries_exhausted', retryable: true });
    expect(calls).toHaveLength(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('fails at once, without retrying, on other statuses', async () => {
    const { t, calls } = transport([new Response('{"error":{"code":"invalid_request"}}', { status: 400 })]);
    const err = await t.send('logs', request).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http_400', code: 'otlp_export_failed', retryable: false });
    expect(String(err)).toContain('invalid_request');
    expect(calls).toHaveLength(1);
  });

  it('stops retrying when aborted', async () => {
    const abort = new AbortController();
    const { fetch } = scriptedFetch([new Response(null, { status: 503 })]);
    const t = new HttpOtlpTransport({
      url: 'http://127.0.0.1:7070',
      fetch,
      sleep: () => {
        abort.abort();
        return Promise.reject(new Error('aborted'));
      },
    });
    await expect(t.send('logs', request, { signal: abort.signal })).rejects.toMatchObject({
      kind: 'aborted',
    });
  });

  it('rejects a bad URL at construction, naming the key', () => {
    expect(() => new HttpOtlpTransport({ url: 'not a url' })).toThrow(/url/);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:10 GMT', Date.parse('2024-05-01T12:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
