import { describe, expect, it } from 'vitest';
import { emptyBatch } from '@sleuth/core';
import type { CollectorStatus } from '@sleuth/kubernetes';
import { ClusterRegistry } from './clusters';

const source = (cluster: string) => ({ cluster, namespace: 'shop', pod: 'api-1' });

describe('ClusterRegistry', () => {
  it('lists every cluster heard from with its last-seen time and record count, and its collector', () => {
    const reg = new ClusterRegistry();
    const batch = emptyBatch();
    batch.logs.push({ source: source('b') } as never, { source: source('a') } as never);
    batch.events.push({ cluster: 'a' } as never);
    batch.objects.push({ ref: { cluster: 'a', kind: 'Pod', name: 'x' } } as never);
    reg.accepted(batch, 1000);
    reg.accepted({ ...emptyBatch(), metrics: [{ source: source('b') } as never] }, 2000);
    const status: CollectorStatus = {
      cluster: 'c',
      server: 'https://c:6443',
      state: 'degraded',
      resources: [],
      logs: { state: 'forbidden', following: 0, waiting: 0, lines: 0, terminatedLogs: 0, failures: 1 },
      usage: { state: 'unavailable', pods: 0, nodes: 0 },
    };
    reg.attach('c', () => status);
    expect(reg.list()).toEqual([
      { name: 'a', lastSeenMs: 1000, records: 3 },
      { name: 'b', lastSeenMs: 2000, records: 2 },
      { name: 'c', lastSeenMs: undefined, records: 0, collector: status },
    ]);
  });
});
