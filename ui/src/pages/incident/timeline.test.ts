import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Anomaly, IncidentDetail, ResourceRef, TimelineEntry } from '../../lib/api/types';
import Timeline from './Timeline.svelte';
import { stubApi } from './fake-api';

const MIN = 60_000;
const T = Date.parse('2026-11-24T03:40:00Z');
const POD: ResourceRef = {
  cluster: 'prod-us',
  namespace: 'payments',
  kind: 'Pod',
  name: 'payments-api-7d9f-x1',
};
const DEPLOY: ResourceRef = {
  cluster: 'prod-us',
  namespace: 'payments',
  kind: 'Deployment',
  name: 'payments-api',
};
const LABELS = { pod: POD.name, container: 'payments-api' };

const memory: Anomaly = {
  id: 'anm_mem',
  detector: 'metrics',
  resource: POD,
  signal: {
    kind: 'series',
    name: 'container_memory_working_set_bytes',
    labels: LABELS,
    fromMs: T - 30 * MIN,
    toMs: T,
  },
  onsetMs: T - 4 * MIN,
  lastSeenMs: T,
  endMs: T - MIN,
  score: 0.8,
  title: 'container_memory_working_set_bytes: level shift on Pod payments/payments-api-7d9f-x1',
  explanation: '',
};
const backoff: Anomaly = {
  id: 'anm_backoff',
  detector: 'k8s-events',
  resource: POD,
  signal: { kind: 'event', ids: ['11'] },
  onsetMs: T,
  lastSeenMs: T + 3 * MIN,
  score: 0.7,
  title: 'BackOff: pod payments/payments-api-7d9f-x1: Back-off restarting failed container',
  explanation: '',
};

// Given out of order: the list sorts them.
const TIMELINE: TimelineEntry[] = [
  {
    timeMs: T + MIN,
    type: 'event',
    resource: POD,
    summary: 'Warning BackOff: Back-off restarting failed container',
    signal: { kind: 'event', ids: ['11'] },
  },
  { timeMs: T - 5 * MIN, type: 'incident-opened', summary: 'opened: payments-api was OOMKilled' },
  {
    timeMs: T - 20 * MIN,
    type: 'object-change',
    resource: DEPLOY,
    summary: 'Deployment payments-api: image registry/payments-api:5.2.6 → 5.2.7',
    signal: { kind: 'object', ref: DEPLOY, timeMs: T - 20 * MIN },
  },
  {
    timeMs: T - 4 * MIN,
    type: 'anomaly-onset',
    resource: POD,
    summary: memory.title,
    signal: { kind: 'anomaly', id: 'anm_mem' },
  },
  {
    timeMs: T,
    type: 'anomaly-onset',
    resource: POD,
    summary: backoff.title,
    signal: { kind: 'anomaly', id: 'anm_backoff' },
  },
];

const DETAIL: IncidentDetail = {
  id: 'inc_1',
  title: 'container payments-api of pod payments-api-7d9f-x1 was OOMKilled',
  status: 'resolved',
  severity: 'critical',
  startMs: T - 5 * MIN,
  updatedMs: T + 5 * MIN,
  resolvedMs: T + 5 * MIN,
  resources: [POD, DEPLOY],
  anomalyIds: ['anm_mem', 'anm_backoff'],
  rootCauses: [],
  timeline: TIMELINE,
  anomalies: [memory, backoff],
  alerts: [],
  recommendations: [],
};

function api() {
  return stubApi({
    '/api/v1/series/query': (url) => ({
      series: [
        {
          series: {
            id: 's1',
            name: url.searchParams.get('name'),
            labels: LABELS,
            type: 'gauge',
            unit: 'By',
            source: POD,
            firstMs: T,
            lastMs: T,
          },
          points: [
            [T - 2 * MIN, 800e6],
            [T - MIN, 1000e6],
          ],
        },
      ],
      truncated: false,
    }),
    '/api/v1/logs': () => ({
      records: [T - MIN, T - MIN + 5000, T].map((timeMs, i) => ({
        id: String(i),
        timeMs,
        source: { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api', pod: POD.name },
        severity: 'error',
        body: 'OutOfMemoryError',
        attributes: {},
      })),
    }),
  });
}

describe('Timeline', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
    vi.unstubAllGlobals();
  });

  const captions = () => [...document.querySelectorAll('figcaption')].map((c) => c.textContent ?? '');

  it('draws the anomaly series with every anomaly window as a band and the events and changes as markers', async () => {
    const { urls } = api();
    app = mount(Timeline, { target: document.body, props: { detail: DETAIL } });
    await vi.waitFor(() => {
      flushSync();
      expect(captions()).toHaveLength(2);
    });
    const [memoryChart, logChart] = captions();
    expect(memoryChart).toContain('container_memory_working_set_bytes on payments/Pod/payments-api-7d9f-x1');
    expect(memoryChart).toContain('1 series, 4 points, 2 anomaly windows, 2 markers');
    // Its two points, and the window's ends so that every chart spans the same time axis.
    expect(logChart).toMatch(
      /^Warning and error lines per \d+ min: 1 series, \d+ points, 2 anomaly windows, 2 markers$/,
    );

    const query = urls.find((u) => u.pathname === '/api/v1/series/query');
    expect(query?.searchParams.getAll('label').sort()).toEqual([`container=payments-api`, `pod=${POD.name}`]);
    expect(query?.searchParams.get('cluster')).toBe('prod-us');
    // Padded around the incident: from before the first anomaly to after it resolved.
    expect(Number(query?.searchParams.get('from'))).toBeLessThan(memory.onsetMs);
    expect(Number(query?.searchParams.get('to'))).toBeGreaterThan(DETAIL.resolvedMs!);
    const logs = urls.find((u) => u.pathname === '/api/v1/logs');
    expect(logs?.searchParams.get('workload')).toBe('payments-api');
    expect(logs?.searchParams.get('severity')).toBe('warn,error,fatal');

    // Counting every line asks again, without the severity filter.
    const select = document.querySelector<HTMLSelectElement>('select')!;
    select.value = 'all';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => {
      flushSync();
      expect(captions()[1]).toMatch(/^Log lines per \d+ min/);
    });
    expect(
      urls
        .filter((u) => u.pathname === '/api/v1/logs')
        .at(-1)
        ?.searchParams.has('severity'),
    ).toBe(false);
  });

  it('lists what happened oldest first, each entry linking to its evidence', () => {
    api();
    app = mount(Timeline, { target: document.body, props: { detail: DETAIL } });
    const entries = [...document.querySelectorAll('[data-testid="timeline-entry"]')];
    expect(entries.map((e) => e.getAttribute('data-type'))).toEqual([
      'object-change',
      'incident-opened',
      'anomaly-onset',
      'anomaly-onset',
      'event',
    ]);
    const times = entries.map((e) => Date.parse(e.querySelector('time')!.getAttribute('datetime')!));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const link = (i: number) => entries[i]!.querySelector<HTMLElement>('[data-testid="evidence-link"]');
    expect(link(0)?.getAttribute('aria-label')).toMatch(
      /^Show object state: payments\/Deployment\/payments-api: Change at /,
    );
    expect(link(1)).toBeNull();
    // An anomaly's entry links to what the anomaly saw: the memory series.
    expect(link(2)?.getAttribute('href')).toMatch(
      /^\/series\?name=container_memory_working_set_bytes&l\.pod=/,
    );
    expect(link(3)?.getAttribute('aria-label')).toMatch(/^Show 1 Kubernetes event/);
    expect(link(4)?.getAttribute('aria-expanded')).toBe('false');
  });

  it('emphasises the anomaly chosen elsewhere', () => {
    api();
    app = mount(Timeline, { target: document.body, props: { detail: DETAIL, highlight: 'anm_backoff' } });
    const row = document.getElementById('anomaly-anm_backoff');
    expect(row?.getAttribute('aria-current')).toBe('true');
    expect(document.getElementById('anomaly-anm_mem')?.getAttribute('aria-current')).toBeNull();
  });
});
