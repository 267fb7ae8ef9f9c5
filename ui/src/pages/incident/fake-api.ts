/**
 * For component tests: `fetch` answering the API paths a test gives (JSON 200, or a Response
 * the handler builds) and 404 for any other, recording every URL asked for.
 */
import { vi } from 'vitest';

export type Handler = (url: URL) => unknown;

export function stubApi(routes: Record<string, Handler>): { urls: URL[] } {
  const urls: URL[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: string | URL | Request) => {
      const url = new URL(
        typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        'http://sleuth.test',
      );
      urls.push(url);
      const handler = routes[url.pathname];
      if (!handler) {
        const body = { error: { code: 'not_found', message: `no route ${url.pathname}` } };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 404 }));
      }
      const out = handler(url);
      return Promise.resolve(
        out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200 }),
      );
    }),
  );
  return { urls };
}

/** A JSON error answer as the server sends it. */
export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  return new Response(JSON.stringify({ error: { code, message, details } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
