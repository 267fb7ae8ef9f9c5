import { describe, expect, it } from 'vitest';
import { seededRandom, type MetricPoint, type SignalSource, type Span } from '@sleuth/core';
import { metricShifts, spanShifts } from './window-shift';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const W = { fromMs: T0, incidentFromMs: T0 + 10 * 60_000, toMs: T0 + 13 * 60_000 };
const pod = (name: string): SignalSource => ({
  cluster: 'prod',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload: name.replace(/-\d+$/, ''),
  pod: name,
});

function series(name: string, podName: string, value: (minute: number) => number): MetricPoint[] {
  return Array.from({ length: 13 }, (_, i) => ({
    name,
    labels: { pod: podName },
    source: pod(podName),
    type: 'gauge' as const,
    timeMs: T0 + i * 60_000 + 30_000,
    value: value(i),
  }));
}

describe('metricShifts', () => {
  it('reports the series that moved at the incident, on its pod, and not the ones that wobble as usual', () => {
    const r = seededRandom(3);
    const points = [
      ...series('cpu', 'api-1', (i) => (i >= 10 ? 480 : 6 + r())),
      ...series('cpu', 'web-1', () => 50 + 10 * r()),
      ...series('memory', 'api-1', () => 300 + r()),
    ];
    const found = metricShifts(points, W);
    expect(found.map((a) => `${a.resource.name} ${a.signal.kind === 'series' ? a.signal.name : ''}`)).toEqual(
      ['api-1 cpu'],
    );
    expect(found[0]?.score).toBeGreaterThan(0.9);
    expect(found[0]?.onsetMs).toBe(W.incidentFromMs + 30_000);
  });

  it('says nothing without enough reference', () => {
    const points = series('cpu', 'api-1', (i) => (i >= 10 ? 480 : 6)).slice(7);
    expect(metricShifts(points, W)).toEqual([]);
  });
});

describe('spanShifts', () => {
  it('reports the operation whose requests got slower, on its workload, from the slice where it began', () => {
    const r = seededRandom(5);
    const spans: Span[] = [];
    for (let t = W.fromMs; t < W.toMs; t += 5_000) {
      for (const [service, op] of [
        ['api', 'GET /items'],
        ['web', 'GET /'],
      ] as const) {
        const slow = service === 'api' && t >= W.incidentFromMs + 60_000;
        const durationMs = (slow ? 400 : 40) * (1 + 0.2 * r());
        spans.push({
          traceId: (t.toString(16) + service).padStart(32, '0').slice(-32),
          spanId: t.toString(16).padStart(16, '0').slice(-16),
          name: op,
          kind: 'server',
          service,
          source: pod(`${service}-1`),
          startMs: t,
          endMs: t + durationMs,
          durationMs,
          status: 'unset',
          attributes: {},
        });
      }
    }
    const found = spanShifts(spans, W);
    expect(found.map((a) => `${a.resource.kind}/${a.resource.name}`)).toEqual(['Deployment/api']);
    expect(found[0]?.title).toContain('GET /items');
    expect(found[0]?.onsetMs).toBe(W.incidentFromMs + 60_000);
  });
});
