import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '../../lib/api/types';
import { router } from '../../lib/router.svelte';
import LogsPage from './LogsPage.svelte';
import { highlightTerms, mergeNewest, splitHighlight, surroundingQuery } from './log-query';

const T = Date.parse('2026-11-20T10:00:00Z');
const source = {
  cluster: 'prod-eu',
  namespace: 'shop',
  workload: 'cart',
  pod: 'cart-7d9f-abc12',
  container: 'app',
};
const rec = (
  id: string,
  timeMs: number,
  body: string,
  severity: LogRecord['severity'] = 'error',
): LogRecord => ({
  id,
  timeMs,
  source,
  severity,
  body,
  attributes: {},
});

/** Answers the UI's API calls from a table of path → body, and records the URLs asked for. */
function stubApi(answers: Record<string, unknown>): string[] {
  const asked: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: string) => {
      asked.push(input);
      const url = new URL(input, 'http://ui.test');
      const answer = answers[url.pathname];
      const body = typeof answer === 'function' ? (answer as (u: URL) => unknown)(url) : answer;
      return Promise.resolve(
        body === undefined
          ? new Response(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }), {
              status: 404,
            })
          : new Response(JSON.stringify(body), {
              status: 200,
              headers: { 'content-type': 'application/json' },
            }),
      );
    }),
  );
  return asked;
}

let app: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

const lines = () => [...document.querySelectorAll<HTMLElement>('[data-testid="log-line"]')];

describe('LogsPage with ?ids= (evidence)', () => {
  it('shows exactly the cited lines, newest first and marked, with a way to their surroundings', async () => {
    const asked = stubApi({
      '/api/v1/logs/by-id': {
        records: [
          rec('101', T, 'redis timeout after 5000ms on cart-cache:6379'),
          rec('102', T + 1500, 'giving up on order 77: redis unavailable'),
        ],
      },
    });
    router().navigate('/logs?ids=101,102');
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(lines()).toHaveLength(2));
    flushSync();

    expect(asked).toEqual(['/api/v1/logs/by-id?ids=101%2C102']);
    expect(document.querySelector('h2')?.textContent).toContain('2 log lines cited as evidence');
    const [first, second] = lines();
    expect(first?.textContent).toContain('giving up on order 77: redis unavailable');
    expect(second?.textContent).toContain('redis timeout after 5000ms');
    for (const l of lines()) {
      expect(l.dataset.cited).toBe('true');
      expect(l.textContent).toContain('cited');
      expect(l.textContent).toContain('cart-7d9f-abc12 / app');
    }
    // No search or live tail of other lines in this mode.
    expect(document.querySelector('[data-search]')).toBeNull();

    const around = [...document.querySelectorAll('a')].find((a) =>
      a.textContent?.includes('Show surrounding lines'),
    );
    const url = new URL(around!.getAttribute('href')!, 'http://ui.test');
    expect(url.pathname).toBe('/logs');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      cluster: 'prod-eu',
      namespace: 'shop',
      pod: 'cart-7d9f-abc12',
      from: String(T - 120_000),
      to: String(T + 1500 + 120_000),
      cited: '102,101',
    });
  });

  it('says when a cited line is no longer stored', async () => {
    stubApi({ '/api/v1/logs/by-id': { records: [rec('101', T, 'redis timeout')] } });
    router().navigate('/logs?ids=101,999');
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(lines()).toHaveLength(1));
    expect(document.body.textContent).toContain('1 of the 2 lines is no longer stored');
  });

  it('shows the server’s error with a retry', async () => {
    stubApi({});
    router().navigate('/logs?ids=101');
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')).not.toBeNull());
    expect(document.querySelector('[role="alert"]')?.textContent).toContain('no such route');
    expect(lines()).toHaveLength(0);
  });
});

describe('LogsPage search', () => {
  it('searches with the URL’s filters, marks the words searched for and the cited lines', async () => {
    const asked = stubApi({
      '/api/v1/logs': {
        records: [rec('7', T + 1000, 'Redis timeout on GET cart:42', 'warn'), rec('6', T, 'ok')],
      },
    });
    router().navigate('/logs?q=redis%20-debug&namespace=shop&severity=warn&from=now-15m&cited=6');
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(lines()).toHaveLength(2));
    flushSync();
    const url = new URL(asked[0]!, 'http://ui.test');
    expect(url.pathname).toBe('/api/v1/logs');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      q: 'redis -debug',
      namespace: 'shop',
      severity: 'warn,error,fatal',
      from: 'now-15m',
    });
    expect([...lines()[0]!.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['Redis']);
    expect(lines()[0]!.dataset.cited).toBeUndefined();
    expect(lines()[1]!.dataset.cited).toBe('true');
    expect(document.querySelector<HTMLInputElement>('[data-search]')?.value).toBe('redis -debug');
  });

  it('around cited lines, reads older pages until the cited lines show', async () => {
    const asked = stubApi({
      '/api/v1/logs': (url: URL) =>
        url.searchParams.get('cursor') === 'c1'
          ? { records: [rec('6', T, 'the cited line'), rec('5', T - 1, 'before it')], nextCursor: 'c2' }
          : { records: [rec('9', T + 9, 'after'), rec('8', T + 8, 'after')], nextCursor: 'c1' },
    });
    router().navigate(`/logs?pod=cart-7d9f-abc12&from=${T - 120_000}&to=${T + 120_000}&cited=6`);
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    flushSync();
    expect(asked).toHaveLength(2);
    expect(lines().map((l) => l.dataset.cited ?? '')).toEqual(['', '', 'true', '']);
    expect(document.body.textContent).toContain('Load older lines');
  });

  it('says so when nothing matches', async () => {
    stubApi({ '/api/v1/logs': { records: [] } });
    router().navigate('/logs?q=nothing');
    app = mount(LogsPage, { target: document.body });
    await vi.waitFor(() => expect(document.body.textContent).toContain('No log line matches these filters.'));
  });
});

describe('LogsPage templates view', () => {
  it('lists the scope’s templates with counts and marks the new ones', async () => {
    const tpl = (id: string, text: string, count: number, before: number) => ({
      id,
      text,
      count,
      before,
      new: before === 0,
      firstSeenMs: T,
      lastSeenMs: T + 60_000,
      counts: [count - 1, 1],
      example: { id: `ex-${id}`, timeMs: T + 60_000, severity: 'error', body: text },
    });
    const asked = stubApi({
      '/api/v1/log-templates': {
        from: T,
        to: T + 120_000,
        bucketMs: 60_000,
        buckets: [T, T + 60_000],
        window: { lines: 130, truncated: false, maxLines: 20000 },
        reference: { from: T - 120_000, to: T, lines: 90, truncated: false, maxLines: 10000 },
        total: 2,
        top: [tpl('tpl_a', 'GET <*> 200', 120, 90), tpl('tpl_b', 'redis timeout after <*>', 10, 0)],
        new: [tpl('tpl_b', 'redis timeout after <*>', 10, 0)],
      },
    });
    router().navigate('/logs?view=templates&namespace=shop&severity=error');
    app = mount(LogsPage, { target: document.body });
    const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="log-template"]')];
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const url = new URL(asked[0]!, 'http://ui.test');
    expect(url.pathname).toBe('/api/v1/log-templates');
    expect(url.searchParams.get('namespace')).toBe('shop');
    expect(url.searchParams.get('severity')).toBe('error,fatal');
    expect(document.querySelector('[role="tab"][aria-selected="true"]')?.textContent).toBe('Templates');
    expect(document.body.textContent).toContain('130 lines from');
    const [top, redis, fresh] = rows();
    expect(top?.textContent).toContain('GET <*> 200');
    expect(top?.textContent).not.toContain('new');
    expect(redis?.textContent).toContain('redis timeout after <*>');
    expect(redis?.textContent).toContain('new');
    expect(fresh?.querySelector('a')?.getAttribute('href')).toBe('/logs?ids=ex-tpl_b');
  });
});

describe('log query helpers', () => {
  it('highlights words and phrases, not exclusions or operators', () => {
    expect(highlightTerms('"connection reset" redis* -debug OR timeout')).toEqual([
      'connection reset',
      'timeout',
      'redis',
    ]);
    expect(splitHighlight('Redis: connection reset by redis', ['connection reset', 'redis'])).toEqual([
      { text: 'Redis', hit: true },
      { text: ': ', hit: false },
      { text: 'connection reset', hit: true },
      { text: ' by ', hit: false },
      { text: 'redis', hit: true },
    ]);
  });

  it('merges polled lines newest first without repeats, keeping at most the cap', () => {
    const shown = [rec('3', T + 3, 'c'), rec('2', T + 2, 'b'), rec('1', T + 1, 'a')];
    const merged = mergeNewest(
      shown,
      [rec('4', T + 4, 'd'), rec('3', T + 3, 'c'), rec('2.5', T + 2.5, 'late')],
      4,
    );
    expect(merged.map((r) => r.id)).toEqual(['4', '3', '2.5', '2']);
  });

  it('searches the workload around lines from several pods', () => {
    const a = rec('1', T, 'x');
    const b = { ...rec('2', T + 10, 'y'), source: { ...source, pod: 'cart-other' } };
    expect(surroundingQuery([a, b])).toMatchObject({ workload: 'cart', cited: '1,2' });
    expect(surroundingQuery([a, b])).not.toHaveProperty('pod');
  });
});
