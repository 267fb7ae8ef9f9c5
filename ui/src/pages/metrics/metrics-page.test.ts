import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SeriesInfo } from '../../lib/api/series';
import { router } from '../../lib/router.svelte';
import MetricsPage from './MetricsPage.svelte';
import {
  chartWindow,
  parseSelector,
  parseSeriesUrl,
  parseTime,
  selectorText,
  withSelection,
} from './series-url';

const T = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;
const LABELS = { cluster: 'prod-eu', namespace: 'shop', pod: 'cart-1', container: 'app' };
const info = (
  name: string,
  labels: Record<string, string>,
  type: SeriesInfo['type'] = 'gauge',
): SeriesInfo => ({
  id: `${name}${JSON.stringify(labels)}`,
  name,
  labels,
  type,
  unit: 'By',
  source: { cluster: 'prod-eu' },
  firstMs: T - 60 * MIN,
  lastMs: T + 60 * MIN,
});

describe('the /series URL', () => {
  it('reads the evidence link: name, labels from l. parameters, from/to and mark', () => {
    const q = new URLSearchParams(
      `name=container_memory_working_set_bytes&l.pod=cart-1&l.namespace=shop&l.cluster=prod-eu&from=${T}&to=${T + 5 * MIN}&mark=1`,
    );
    const url = parseSeriesUrl(q);
    expect(url.selected).toEqual([
      {
        name: 'container_memory_working_set_bytes',
        labels: { pod: 'cart-1', namespace: 'shop', cluster: 'prod-eu' },
      },
    ]);
    expect(url).toMatchObject({ from: String(T), to: String(T + 5 * MIN), mark: true, raw: false });
    // Marked: the window with context around it, the window itself shaded.
    expect(chartWindow(url, T + 60 * MIN)).toEqual({
      fromMs: T - 5 * MIN,
      toMs: T + 10 * MIN,
      band: { fromMs: T, toMs: T + 5 * MIN },
    });
    // Unmarked: exactly the window.
    expect(chartWindow({ ...url, mark: false }, T + 60 * MIN)).toEqual({ fromMs: T, toMs: T + 5 * MIN });
  });

  it('marks a series window given in epoch ms as evidence links write it, unless mark=0', () => {
    const link = `name=up&l.pod=a&from=${T}&to=${T + MIN}`;
    expect(parseSeriesUrl(new URLSearchParams(link)).mark).toBe(true);
    expect(parseSeriesUrl(new URLSearchParams(`${link}&mark=0`)).mark).toBe(false);
    expect(parseSeriesUrl(new URLSearchParams('name=up&from=now-1h')).mark).toBe(false);
    expect(parseSeriesUrl(new URLSearchParams(`from=${T}&to=${T + MIN}`)).mark).toBe(false);
    // After a zoom: the zoomed window as is, the evidence window still shaded.
    const zoomed = parseSeriesUrl(new URLSearchParams(`${link}&mark=0&band=${T + 10}-${T + 20}`));
    expect(chartWindow(zoomed, T)).toEqual({
      fromMs: T,
      toMs: T + MIN,
      band: { fromMs: T + 10, toMs: T + 20 },
    });
  });

  it('resolves relative times as the API does and defaults to the last hour', () => {
    expect(parseTime('now-15m', T)).toBe(T - 15 * MIN);
    expect(parseTime('now', T)).toBe(T);
    expect(parseTime(String(T), 0)).toBe(T);
    expect(parseTime('2026-11-20T10:00:00Z', 0)).toBe(T);
    expect(parseTime('yesterday', T)).toBeUndefined();
    expect(chartWindow(parseSeriesUrl(new URLSearchParams('')), T)).toEqual({
      fromMs: T - 60 * MIN,
      toMs: T,
    });
    expect(chartWindow(parseSeriesUrl(new URLSearchParams(`from=${T}&to=${T - 1}`)), T)).toBeUndefined();
  });

  it('keeps several series: the first as name and l., the rest as s selectors', () => {
    const a = { name: 'up', labels: { pod: 'a' } };
    const b = { name: 'http_requests_total', labels: { route: '/cart', code: '5"0"0' } };
    const qs = withSelection(new URLSearchParams('from=now-6h&l.old=x&name=gone'), [a, b]);
    const q = new URLSearchParams(qs);
    expect(q.get('name')).toBe('up');
    expect(q.get('l.pod')).toBe('a');
    expect(q.get('l.old')).toBeNull();
    expect(q.get('from')).toBe('now-6h');
    expect(parseSeriesUrl(q).selected).toEqual([a, b]);
    expect(parseSelector(selectorText(b))).toEqual(b);
    expect(parseSelector('bad{x}')).toBeUndefined();
  });
});

describe('MetricsPage', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    app = undefined;
    document.body.innerHTML = '';
    vi.unstubAllGlobals();
  });

  it('opens an evidence link on that series and window, shaded', async () => {
    const exact = info('container_memory_working_set_bytes', LABELS);
    const asked: URL[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((input: string) => {
        const url = new URL(input, 'http://ui.test');
        asked.push(url);
        const body =
          url.pathname === '/api/v1/status'
            ? { detection: null }
            : url.pathname === '/api/v1/series'
              ? { series: [exact] }
              : {
                  truncated: false,
                  series: [
                    // A superset of the labels also matches; the page keeps the exact one.
                    { series: info(exact.name, { ...LABELS, extra: 'y' }), points: [[T, 1]] },
                    {
                      series: exact,
                      points: [
                        [T - MIN, 100],
                        [T, 200],
                        [T + MIN, 300],
                      ],
                    },
                  ],
                };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
      }),
    );
    const link = `/series?name=${exact.name}&l.cluster=prod-eu&l.namespace=shop&l.pod=cart-1&l.container=app&from=${T}&to=${T + 4 * MIN}`;
    router().navigate(link);
    app = mount(MetricsPage, { target: document.body });
    await vi.waitFor(() => expect(document.querySelector('figure.chart')).not.toBeNull());
    flushSync();

    const query = asked.find((u) => u.pathname === '/api/v1/series/query')!;
    expect(query.searchParams.get('name')).toBe(exact.name);
    expect(query.searchParams.getAll('label').sort()).toEqual([
      'cluster=prod-eu',
      'container=app',
      'namespace=shop',
      'pod=cart-1',
    ]);
    expect(Number(query.searchParams.get('from'))).toBe(T - 5 * MIN);
    expect(Number(query.searchParams.get('to'))).toBe(T + 9 * MIN);

    expect(document.querySelector('#chart-heading')?.textContent).toContain(exact.name);
    const chips = [...document.querySelectorAll('[aria-label="Series on the chart"] code')].map(
      (c) => c.textContent,
    );
    expect(chips).toEqual([
      'container_memory_working_set_bytes{cluster="prod-eu",container="app",namespace="shop",pod="cart-1"}',
    ]);
    const caption = document.querySelector('figure.chart figcaption')?.textContent ?? '';
    expect(caption).toContain('1 series');
    expect(document.body.textContent).toContain('3 points.');
    expect(caption).toContain('1 anomaly window');
    // The browser lists the series as selected.
    const option = document.querySelector('[role="option"]');
    expect(option?.getAttribute('aria-selected')).toBe('true');
  });

  it('asks to pick a series when none is selected', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn((input: string) => {
        const path = new URL(input, 'http://ui.test').pathname;
        const body = path === '/api/v1/series' ? { series: [] } : { detection: null };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
      }),
    );
    router().navigate('/series?find=nothing_here');
    app = mount(MetricsPage, { target: document.body });
    await vi.waitFor(() =>
      expect(document.body.textContent).toContain('No series with points in this window matches.'),
    );
    expect(document.body.textContent).toContain('Pick one or more series from the list');
  });
});
