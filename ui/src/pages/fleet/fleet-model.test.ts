import { describe, expect, it } from 'vitest';
import type { Anomaly, ClusterInfo } from '../../lib/api/types';
import { clusterHealth, ratesBetween, topAnomalous } from './fleet-model';

const NOW = 1_800_000_000_000;

function cluster(over: Partial<ClusterInfo> = {}): ClusterInfo {
  return { name: 'prod-eu', lastSeenMs: NOW - 1000, records: 10, ...over };
}

describe('fleet model', () => {
  it('calls a cluster silent when nothing arrived for two minutes, whatever its collector says', () => {
    expect(clusterHealth(cluster(), NOW).health).toBe('healthy');
    expect(clusterHealth(cluster({ lastSeenMs: NOW - 3 * 60_000 }), NOW)).toEqual({
      health: 'silent',
      reason: 'no data for more than 2 minutes',
    });
    expect(clusterHealth(cluster({ lastSeenMs: undefined }), NOW).reason).toBe('no data received yet');
  });

  it('names the resources a degraded collector has not synced', () => {
    const c = cluster({
      collector: {
        cluster: 'prod-eu',
        server: 'https://k8s',
        state: 'degraded',
        resources: [
          { resource: 'pods', kind: 'Pod', state: 'synced', objects: 3, relists: 0, watchRestarts: 0 },
          {
            resource: 'secrets',
            kind: 'Secret',
            state: 'forbidden',
            objects: 0,
            relists: 0,
            watchRestarts: 0,
          },
        ],
        logs: { state: 'off' },
        usage: { state: 'off', pods: 0, nodes: 0 },
      } as unknown as ClusterInfo['collector'],
    });
    expect(clusterHealth(c, NOW)).toEqual({ health: 'degraded', reason: 'not synced: secrets' });
  });

  it('ranks resources by open anomalies, then by their top score', () => {
    const a = (name: string, score: number, title = 't'): Anomaly => ({
      id: `${name}-${score}`,
      detector: 'metrics',
      resource: { cluster: 'c', namespace: 'shop', kind: 'Deployment', name },
      signal: { kind: 'anomaly', id: 'x' },
      onsetMs: NOW,
      lastSeenMs: NOW,
      score,
      title,
      explanation: '',
    });
    const top = topAnomalous([a('cart', 0.5), a('api', 0.9), a('cart', 0.6, 'u'), a('web', 0.95)]);
    expect(top.map((w) => [w.resource.name, w.anomalies, w.maxScore])).toEqual([
      ['cart', 2, 0.6],
      ['web', 1, 0.95],
      ['api', 1, 0.9],
    ]);
    expect(top[0]!.titles).toEqual(['t', 'u']);
  });

  it('computes rates from two readings and ignores counts that went down (retention)', () => {
    const rates = ratesBetween(
      { atMs: 0, counts: { logs: 100, metrics: 1000 } },
      { atMs: 2000, counts: { logs: 300, metrics: 10 } },
    );
    expect(rates).toEqual({ logs: 100 });
    expect(ratesBetween(undefined, { atMs: 1, counts: {} })).toBeUndefined();
  });
});
