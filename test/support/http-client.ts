/**
 * A small HTTP client for tests that sign in: it keeps the session cookie like a browser, sends
 * the CSRF token on state-changing requests once it has one, or sends an API token.
 */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class Client {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.csrf && (opts.csrf ?? true) && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.base + path, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('sleuth_session=')) {
      const value = setCookie.slice('sleuth_session='.length).split(';')[0];
      this.cookie = value ? `sleuth_session=${value}` : undefined;
    }
    const text = await res.text();
    const parsed =
      text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : (text as T);
    const csrf = (parsed as { csrfToken?: unknown } | undefined)?.csrfToken;
    if (typeof csrf === 'string') this.csrf = csrf;
    return { status: res.status, headers: res.headers, body: parsed };
  }

  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>> {
    return this.call<T>('GET', path);
  }

  post<T = Record<string, unknown>>(
    path: string,
    body: unknown = {},
    opts?: { csrf?: boolean },
  ): Promise<Answer<T>> {
    return this.call<T>('POST', path, body, opts);
  }

  async signIn(username: string, password: string): Promise<Answer> {
    const a = await this.post('/api/v1/auth/sign-in', { username, password });
    if (a.status !== 200)
      throw new Error(`sign-in of ${username} answered ${a.status}: ${JSON.stringify(a.body)}`);
    return a;
  }
}
