import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Anomaly, Evidence, ResourceRef } from '../../lib/api/types';
import EvidenceList from './EvidenceList.svelte';
import { apiError, stubApi } from './fake-api';

const POD: ResourceRef = {
  cluster: 'prod-us',
  namespace: 'payments',
  kind: 'Pod',
  name: 'payments-api-7d9f-x1',
};
const T = Date.parse('2026-11-24T03:40:00Z');
const FIELD = 'status.containerStatuses[name=payments-api].lastState.terminated';

const EVIDENCE: Evidence[] = [
  { signal: { kind: 'log', ids: ['4711', '4712'] }, summary: 'java.lang.OutOfMemoryError: Java heap space' },
  {
    signal: {
      kind: 'series',
      name: 'container_memory_working_set_bytes',
      labels: { pod: POD.name, container: 'payments-api' },
      fromMs: T - 600_000,
      toMs: T,
    },
    summary: 'working-set memory, peak 1016Mi',
  },
  { signal: { kind: 'event', ids: ['31', 'uid-gone'] }, summary: 'OOMKilling 3 times' },
  {
    signal: { kind: 'object', ref: POD, field: FIELD, timeMs: T },
    summary: 'terminated: OOMKilled, exit code 137',
  },
  {
    signal: { kind: 'trace', traceId: '1e0ff3b1c9fb670120dd56420094b8d5', spanId: '8b8a4f3d64302ffd' },
    summary: 'checkout fails',
  },
  { signal: { kind: 'anomaly', id: 'anm_1' }, summary: 'memory climbing' },
  { signal: { kind: 'alert', id: 'alt_9' }, summary: 'PaymentsDown firing' },
];

const ANOMALY: Anomaly = {
  id: 'anm_1',
  detector: 'metrics',
  resource: POD,
  signal: EVIDENCE[1]!.signal,
  onsetMs: T - 300_000,
  lastSeenMs: T,
  score: 0.9,
  title: 'container_memory_working_set_bytes: level shift on Pod payments/payments-api-7d9f-x1',
  explanation: '',
};

const snapshot = (object: Record<string, unknown>, timeMs: number) => ({
  ref: POD,
  apiVersion: 'v1',
  timeMs,
  deleted: false,
  object,
});
const terminated = (reason: string, exitCode: number) => ({
  status: { containerStatuses: [{ name: 'payments-api', lastState: { terminated: { reason, exitCode } } }] },
});
const OBJECT_PATH = '/api/v1/objects/prod-us/payments/Pod/payments-api-7d9f-x1';

describe('EvidenceList', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
    vi.unstubAllGlobals();
  });

  function show(onanomaly = vi.fn()) {
    app = mount(EvidenceList, {
      target: document.body,
      props: { evidence: EVIDENCE, about: POD, anomalies: [ANOMALY], onanomaly },
    });
    return onanomaly;
  }
  const item = (kind: string) => document.querySelector(`li[data-kind="${kind}"]`)!;
  const control = (kind: string) => item(kind).querySelector<HTMLElement>('[data-testid="evidence-link"]')!;

  it('links log lines to the logs page with exactly their ids, series and alerts to theirs', () => {
    stubApi({});
    show();
    const logs = control('log');
    expect(logs.tagName).toBe('A');
    expect(logs.getAttribute('href')).toBe('/logs?ids=4711,4712');
    expect(logs.getAttribute('aria-label')).toBe(
      'Open 2 log lines: java.lang.OutOfMemoryError: Java heap space',
    );

    const series = new URL(control('series').getAttribute('href')!, 'http://x');
    expect(series.pathname).toBe('/series');
    expect(Object.fromEntries(series.searchParams)).toEqual({
      name: 'container_memory_working_set_bytes',
      'l.pod': POD.name,
      'l.container': 'payments-api',
      from: String(T - 600_000),
      to: String(T),
    });
    expect(control('alert').getAttribute('href')).toBe('/alerts?id=alt_9');
    // Every control has a name of its own.
    const names = [...document.querySelectorAll('[data-testid="evidence-link"]')].map((e) =>
      e.getAttribute('aria-label'),
    );
    expect(names.every((n) => n && n.length > 10)).toBe(true);
    expect(new Set(names).size).toBe(EVIDENCE.length);
  });

  it('shows anomaly evidence in the timeline', () => {
    stubApi({});
    const onanomaly = show();
    const link = control('anomaly');
    expect(link.getAttribute('href')).toBe('#anomaly-anm_1');
    expect(link.getAttribute('aria-label')).toContain(ANOMALY.title);
    link.click();
    expect(onanomaly).toHaveBeenCalledWith('anm_1');
  });

  it('expands an object field to its value at the time and now, fetched from the object history', async () => {
    const { urls } = stubApi({
      [`${OBJECT_PATH}/history`]: () => ({ snapshots: [snapshot(terminated('OOMKilled', 137), T - 1000)] }),
      [OBJECT_PATH]: () => snapshot(terminated('Completed', 0), T + 60_000),
    });
    show();
    const button = control('object');
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(button.textContent).toBe('Show field value');
    expect(button.getAttribute('aria-label')).toBe(
      `Show field value: ${FIELD} of payments/Pod/payments-api-7d9f-x1: terminated: OOMKilled, exit code 137`,
    );
    button.click();
    flushSync();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await vi.waitFor(() => {
      flushSync();
      expect(item('object').querySelector('[data-testid="object-value"]')?.textContent).toContain(
        '"reason": "OOMKilled"',
      );
    });
    expect(item('object').textContent).toContain('"exitCode": 137');
    expect(item('object').textContent).toContain('"reason": "Completed"');
    const history = urls.find((u) => u.pathname.endsWith('/history'));
    expect(history?.searchParams.get('to')).toBe(String(T + 1));
    expect(history?.searchParams.get('limit')).toBe('1');
  });

  it('expands events, fetched by id near the cause, and says which are gone', async () => {
    const { urls } = stubApi({
      '/api/v1/events/by-id': () => ({
        events: [
          {
            id: '31',
            cluster: 'prod-us',
            namespace: 'payments',
            involved: POD,
            type: 'Warning',
            reason: 'OOMKilling',
            message: 'Memory cgroup out of memory: Killed process 58600 (java)',
            count: 3,
            firstMs: T - 120_000,
            lastMs: T,
          },
        ],
        missing: ['uid-gone'],
      }),
    });
    show();
    control('event').click();
    await vi.waitFor(() => {
      flushSync();
      expect(item('event').textContent).toContain('Memory cgroup out of memory: Killed process 58600 (java)');
    });
    expect(item('event').textContent).toContain('Warning OOMKilling');
    expect(item('event').textContent).toContain('1 more event is no longer stored.');
    const asked = urls.find((u) => u.pathname === '/api/v1/events/by-id');
    expect(asked?.searchParams.get('ids')).toBe('31,uid-gone');
    expect(asked?.searchParams.get('name')).toBe(POD.name);
  });

  it('says so when an expansion cannot load, and lets the user retry', async () => {
    stubApi({
      '/api/v1/traces/1e0ff3b1c9fb670120dd56420094b8d5': () =>
        apiError(404, 'not_found', 'trace is not stored'),
    });
    show();
    control('trace').click();
    await vi.waitFor(() => {
      flushSync();
      expect(item('trace').querySelector('[role="alert"]')?.textContent).toContain(
        'Could not load the trace.',
      );
    });
    expect(item('trace').textContent).toContain('trace is not stored');
    expect(item('trace').textContent).toContain('8b8a4f3d64302ffd');
    expect(item('trace').querySelector('button:not([data-testid])')?.textContent).toBe('Retry');
  });
});
