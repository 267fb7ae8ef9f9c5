import { describe, expect, it } from 'vitest';
import { DecodeError, PayloadTooLargeError } from '@sleuth/core';
import { ingestRemoteWrite, type RemoteWriteContext } from './ingest-remote-write';
import { MetricFamilies } from './metric-families';
import { MAX_SERIES_LABELS } from './write-request';
import { encodeWriteRequest, STALE, type MetadataToWrite, type SeriesToWrite } from './write-request-encode';

const NOW = 1_767_225_600_000;

function context(over: Partial<RemoteWriteContext> = {}): RemoteWriteContext {
  return {
    cluster: { label: 'cluster', fallback: 'lab' },
    receivedMs: NOW,
    families: new MetricFamilies(),
    maxDecompressedBytes: 1024 * 1024,
    maxSamples: 1000,
    ...over,
  };
}

const ingest = (series: SeriesToWrite[], ctx = context(), metadata: MetadataToWrite[] = []) =>
  ingestRemoteWrite(encodeWriteRequest(series, metadata), ctx);

/** A series with one sample now. */
const one = (name: string, labels: Record<string, string> = {}): SeriesToWrite => ({
  labels: { __name__: name, ...labels },
  samples: [[NOW, 1]],
});

const cart = { namespace: 'shop', pod: 'cart-7d9f', container: 'app', node: 'n1', deployment: 'cart' };

describe('ingestRemoteWrite', () => {
  it('turns each sample into a metric point named by __name__, with its labels and source', () => {
    const r = ingest([
      {
        labels: { __name__: 'queue_depth', ...cart, job: 'shop' },
        samples: [
          [NOW - 2000, 4],
          [NOW - 1000, 5.25],
        ],
      },
    ]);
    expect(r.samples).toBe(2);
    expect(r.rejected).toBe(0);
    expect(r.batch.metrics).toHaveLength(2);
    expect(r.batch.metrics[1]).toEqual({
      name: 'queue_depth',
      labels: { ...cart, job: 'shop', cluster: 'lab', workload: 'cart' },
      source: {
        cluster: 'lab',
        namespace: 'shop',
        workloadKind: 'Deployment',
        workload: 'cart',
        pod: 'cart-7d9f',
        container: 'app',
        node: 'n1',
      },
      type: 'gauge',
      timeMs: NOW - 1000,
      value: 5.25,
    });
  });

  it('takes the cluster from the configured label, else the fallback', () => {
    const ctx = context({ cluster: { label: 'k8s_cluster', fallback: 'lab' } });
    const r = ingest(
      [
        { labels: { __name__: 'a', k8s_cluster: 'prod-eu', cluster: 'x' }, samples: [[NOW, 1]] },
        { labels: { __name__: 'b', statefulset: 'db' }, samples: [[NOW, 1]] },
      ],
      ctx,
    );
    const [a, b] = r.batch.metrics;
    expect(a?.source.cluster).toBe('prod-eu');
    expect(a?.labels).toMatchObject({ k8s_cluster: 'prod-eu', cluster: 'prod-eu', exported_cluster: 'x' });
    expect(b?.source).toEqual({ cluster: 'lab', workloadKind: 'StatefulSet', workload: 'db' });
  });

  it('skips staleness markers, NaN and infinite values and counts them, storing nothing for them', () => {
    const r = ingest([
      {
        labels: { __name__: 'up', pod: 'a' },
        samples: [
          [NOW - 3000, 1],
          [NOW - 2000, STALE],
          [NOW - 1000, NaN],
          [NOW, Infinity],
        ],
      },
    ]);
    expect(r.batch.metrics.map((p) => p.value)).toEqual([1]);
    expect(r.skipped).toEqual({ staleMarkers: 1, nonFinite: 2, exemplars: 0, histograms: 0 });
    expect(r.rejected).toBe(0);
  });

  it('leaves out series with an invalid label set and keeps the others, naming why', () => {
    const r = ingest([
      { labels: { job: 'x' }, samples: [[NOW, 1]] },
      {
        labels: [
          ['__name__', 'dup'],
          ['pod', 'a'],
          ['pod', 'b'],
        ],
        samples: [
          [NOW - 1000, 1],
          [NOW, 2],
        ],
      },
      {
        labels: [
          ['__name__', 'empty_name'],
          ['', 'v'],
        ],
        samples: [[NOW, 1]],
      },
      { labels: { __name__: 'good', pod: 'a' }, samples: [[NOW, 7]] },
    ]);
    expect(r.batch.metrics.map((p) => [p.name, p.value])).toEqual([['good', 7]]);
    expect(r.rejected).toBe(4);
    expect(r.rejectionReasons).toEqual([
      'remote_write: timeseries[0]: the series has no __name__ label',
      'remote_write: timeseries[1] (dup): label "pod" appears twice (2 in total)',
      'remote_write: timeseries[2] (empty_name): a label has an empty name',
    ]);
  });

  it('rejects samples stamped more than a day ahead or before 1970, keeping the series’ others', () => {
    const r = ingest([
      {
        labels: { __name__: 'x' },
        samples: [
          [NOW, 1],
          [NOW + 2 * 86_400_000, 2],
          [-1, 3],
        ],
      },
    ]);
    expect(r.batch.metrics.map((p) => p.value)).toEqual([1]);
    expect(r.rejected).toBe(2);
    expect(r.rejectionReasons.join('\n')).toMatch(/more than 1 day ahead/);
  });

  it('drops empty label values, as Prometheus treats them as absent', () => {
    const r = ingest([{ labels: { __name__: 'x', pod: '', job: 'j' }, samples: [[NOW, 1]] }]);
    expect(r.batch.metrics[0]?.labels).toEqual({ job: 'j', cluster: 'lab' });
  });

  it('types series by name when no metadata was sent', () => {
    const r = ingest([
      one('http_requests_total'),
      one('latency_seconds_bucket', { le: '0.5' }),
      one('latency_seconds_count'),
      one('latency_seconds_sum'),
      one('rpc_seconds', { quantile: '0.99' }),
      one('temperature'),
    ]);
    expect(r.batch.metrics.map((p) => p.type)).toEqual([
      'counter',
      'histogram',
      'counter',
      'counter',
      'summary',
      'gauge',
    ]);
  });

  it('types later series from metadata Prometheus sent earlier, with the unit', () => {
    const ctx = context();
    const meta = ingest([], ctx, [
      { type: 1, family: 'jobs_done', help: 'Jobs done.' },
      { type: 2, family: 'tasks_total', unit: 'tasks' },
      { type: 3, family: 'latency_seconds', unit: 'seconds' },
      { type: 5, family: 'rpc_seconds' },
    ]);
    expect(meta.metadata).toBe(4);
    expect(meta.batch.metrics).toEqual([]);
    const r = ingest(
      [
        one('jobs_done'),
        one('tasks_total'),
        one('latency_seconds_bucket', { le: '+Inf' }),
        one('latency_seconds_count'),
        one('rpc_seconds', { quantile: '0.5' }),
        one('rpc_seconds_sum'),
      ],
      ctx,
    );
    expect(r.batch.metrics.map((p) => [p.name, p.type, p.unit])).toEqual([
      ['jobs_done', 'counter', undefined],
      ['tasks_total', 'gauge', 'tasks'],
      ['latency_seconds_bucket', 'histogram', 'seconds'],
      ['latency_seconds_count', 'counter', 'seconds'],
      ['rpc_seconds', 'summary', undefined],
      ['rpc_seconds_sum', 'counter', undefined],
    ]);
  });

  it('counts exemplars and native histograms it does not store', () => {
    const r = ingest([
      { labels: { __name__: 'x' }, samples: [[NOW, 1]], exemplars: 2 },
      { labels: { __name__: 'native_seconds' }, samples: [], histograms: 3 },
    ]);
    expect(r.skipped).toMatchObject({ exemplars: 2, histograms: 3 });
    expect(r.batch.metrics).toHaveLength(1);
    expect(r.rejected).toBe(0);
  });

  it('throws for an undecodable body and for one past the limits', () => {
    expect(() => ingestRemoteWrite(Buffer.from('garbage!'), context())).toThrow(DecodeError);
    const many: SeriesToWrite = {
      labels: { __name__: 'x' },
      samples: [
        [NOW, 1],
        [NOW + 1, 2],
      ],
    };
    expect(() => ingest([many], context({ maxSamples: 1 }))).toThrow(PayloadTooLargeError);
    expect(() => ingest([many], context({ maxDecompressedBytes: 8 }))).toThrow(PayloadTooLargeError);
  });
});

describe('ingestRemoteWrite on a series with too many labels', () => {
  it(`rejects a series of more than ${MAX_SERIES_LABELS} labels, naming why, and keeps the others`, () => {
    const labels: [string, string][] = Array.from({ length: MAX_SERIES_LABELS + 1 }, (_, i) => [
      `l${i}`,
      'v',
    ]);
    const r = ingest([{ labels: [['__name__', 'wide'], ...labels], samples: [[NOW, 1]] }, one('narrow')]);
    expect(r.batch.metrics.map((m) => m.name)).toEqual(['narrow']);
    expect(r.rejected).toBe(1);
    expect(r.rejectionReasons[0]).toContain(`more than ${MAX_SERIES_LABELS} labels`);
  });
});

describe('MetricFamilies', () => {
  it('forgets the oldest family past its bound', () => {
    const families = new MetricFamilies(2);
    for (const family of ['a', 'b', 'c']) families.learn({ type: 1, family, unit: '' });
    expect(families.size).toBe(2);
    expect(families.kindOf('a', {}).type).toBe('gauge');
    expect(families.kindOf('c', {}).type).toBe('counter');
  });
});
