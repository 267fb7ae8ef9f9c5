import { describe, expect, it } from 'vitest';
import type { Anomaly } from '../../lib/api/types';
import { anomalyBands, incidentWindow, logSources, spanRange } from './timeline-model';

const MIN = 60_000;
const T = Date.parse('2026-11-24T03:40:00Z');
const anomaly = (id: string, onsetMs: number, endMs?: number): Anomaly => ({
  id,
  detector: 'k8s-state',
  resource: { cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'api-1' },
  signal: { kind: 'anomaly', id },
  onsetMs,
  lastSeenMs: endMs ?? onsetMs + MIN,
  ...(endMs === undefined ? {} : { endMs }),
  score: 0.5,
  title: `anomaly ${id}`,
  explanation: '',
});

describe('anomalyBands', () => {
  it('shades overlapping anomalies as one window, and the chosen one on its own', () => {
    const list = [
      anomaly('c', T + 10 * MIN, T + 12 * MIN),
      anomaly('a', T, T + 5 * MIN),
      anomaly('b', T + 4 * MIN, T + 6 * MIN),
    ];
    expect(anomalyBands(list)).toEqual([
      { fromMs: T, toMs: T + 6 * MIN, label: '2 anomalies', anomalyIds: ['a', 'b'] },
      { fromMs: T + 10 * MIN, toMs: T + 12 * MIN, label: 'anomaly c', anomalyIds: ['c'] },
    ]);
    expect(anomalyBands(list, 'b').at(-1)).toEqual({
      fromMs: T + 4 * MIN,
      toMs: T + 6 * MIN,
      label: 'anomaly b',
      emphasis: true,
      anomalyIds: ['b'],
    });
  });
});

describe('incidentWindow', () => {
  it('pads the incident by a fifth of its length, at least five minutes', () => {
    const w = incidentWindow(
      {
        startMs: T,
        updatedMs: T + 60 * MIN,
        resolvedMs: T + 60 * MIN,
        anomalies: [anomaly('a', T - 10 * MIN, T + 50 * MIN)],
        timeline: [],
      } as never,
      T + 200 * MIN,
    );
    expect(w).toEqual({ fromMs: T - 10 * MIN - 14 * MIN, toMs: T + 60 * MIN + 14 * MIN });
  });
});

describe('logSources', () => {
  it("counts a workload's pods through the workload, and other pods on their own", () => {
    const ref = (kind: string, name: string) => ({ cluster: 'eu', namespace: 'shop', kind, name });
    expect(
      logSources([
        ref('Pod', 'api-7d9f-x1'),
        ref('Deployment', 'api'),
        ref('Pod', 'db-0'),
        ref('Node', 'n1'),
      ]),
    ).toEqual([
      { label: 'Deployment api', filter: { cluster: 'eu', namespace: 'shop', workload: 'api' } },
      { label: 'Pod db-0', filter: { cluster: 'eu', namespace: 'shop', pod: 'db-0' } },
    ]);
  });
});

describe('spanRange', () => {
  it('adds empty points at the window ends so charts share one time axis', () => {
    const data = { x: [T], series: [{ label: 'a', values: [1] }] };
    expect(spanRange(data, { fromMs: T - MIN, toMs: T + MIN })).toEqual({
      x: [T - MIN, T, T + MIN],
      series: [{ label: 'a', values: [null, 1, null] }],
    });
  });
});
