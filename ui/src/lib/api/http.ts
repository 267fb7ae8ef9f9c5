/**
 * The one place the UI talks HTTP to Sleuth. Every error the server answers has the shape
 * `{error: {code, message, details}}`; it surfaces here as an `ApiError` carrying that message,
 * so a page can show what went wrong instead of a generic failure.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The signed-in session's anti-forgery token: every state-changing request carries it as
 * X-CSRF-Token (the server refuses one from a session without it).
 */
let csrfToken: string | undefined;
let unauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server answers 401: the session ended, so the app shows the sign-in page. */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

/** Headers a state-changing request sends. */
export function writeHeaders(accept = 'application/json'): Record<string, string> {
  return {
    accept,
    'content-type': 'application/json',
    ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
  };
}

export type Query = Record<string, string | number | boolean | undefined | null | readonly string[]>;

/** `/api/v1` + path + the query's set values (arrays repeat the key). */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(k, item);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

export async function failure(res: Response): Promise<ApiError> {
  if (res.status === 401) unauthorized?.();
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.message) {
      return new ApiError(
        res.status,
        body.error.code ?? 'error',
        body.error.message,
        body.error.details,
        retryAfter,
      );
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return new ApiError(
    res.status,
    'http_error',
    `${res.status} ${res.statusText || 'error'}`,
    undefined,
    retryAfter,
  );
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
}

export async function getJson<T>(path: string, query: Query = {}, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), {
      headers: { accept: 'application/json' },
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'Sleuth does not answer: is the server running?');
  }
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers: writeHeaders(),
      body: JSON.stringify(body ?? {}),
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'Sleuth does not answer: is the server running?');
  }
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** An error as one line a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.status ? `${err.message} (${err.status} ${err.code})` : err.message;
  return err instanceof Error ? err.message : String(err);
}
