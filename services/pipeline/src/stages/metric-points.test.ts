import { describe, expect, it } from 'vitest';
import { MetricPoint } from '@sleuth/core';
import { ingestOtlp } from '../index';
import { jsonBytes, keyValues, metricsRequest, nanos, pbField } from '../otlp/otlp-json-builders';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: NOW };
const DELTA = 1;
const CUMULATIVE = 2;

function ingest(metrics: object[]) {
  const body = jsonBytes(metricsRequest({ 'k8s.pod.name': 'web-1', 'service.name': 'web' }, metrics));
  const result = ingestOtlp('metrics', 'json', body, ctx);
  for (const p of result.batch.metrics) MetricPoint.parse(p);
  return result;
}

const summarise = (points: MetricPoint[]) => points.map((p) => [p.name, p.type, p.value, p.labels]);
const base = { cluster: 'lab', pod: 'web-1', service: 'web' };

describe('the metrics stage', () => {
  it('types sums by monotonicity and temporality', () => {
    const point = { timeUnixNano: nanos(NOW), asInt: '10' };
    const { batch } = ingest([
      { name: 'a', sum: { isMonotonic: true, aggregationTemporality: CUMULATIVE, dataPoints: [point] } },
      { name: 'b', sum: { isMonotonic: true, aggregationTemporality: DELTA, dataPoints: [point] } },
      { name: 'c', sum: { isMonotonic: false, aggregationTemporality: CUMULATIVE, dataPoints: [point] } },
    ]);
    expect(batch.metrics.map((p) => [p.name, p.type])).toEqual([
      ['a', 'counter'],
      ['b', 'gauge'],
      ['c', 'gauge'],
    ]);
  });

  it('expands a Summary into _count, _sum and quantile series, skipping NaN quantiles', () => {
    const { batch, rejected } = ingest([
      {
        name: 'rpc.duration',
        unit: 's',
        summary: {
          dataPoints: [
            {
              timeUnixNano: nanos(NOW - 1),
              attributes: keyValues({ method: 'Get' }),
              count: '4',
              sum: 2.5,
              quantileValues: [
                { quantile: 0.5, value: 0.4 },
                { quantile: 0.99, value: 'NaN' },
              ],
            },
          ],
        },
      },
    ]);
    expect(rejected).toBe(0);
    const labels = { ...base, method: 'Get' };
    expect(summarise(batch.metrics)).toEqual([
      ['rpc.duration_count', 'counter', 4, labels],
      ['rpc.duration_sum', 'counter', 2.5, labels],
      ['rpc.duration', 'summary', 0.4, { ...labels, quantile: '0.5' }],
    ]);
    expect(batch.metrics[0]).toMatchObject({
      unit: 's',
      timeMs: NOW - 1,
      source: { cluster: 'lab', pod: 'web-1', service: 'web' },
    });
  });

  it('expands a delta Histogram into gauges and cumulative buckets', () => {
    const { batch } = ingest([
      {
        name: 'size',
        histogram: {
          aggregationTemporality: DELTA,
          dataPoints: [
            {
              timeUnixNano: nanos(NOW),
              count: '6',
              sum: 60,
              bucketCounts: ['1', '2', '3'],
              explicitBounds: [0.5, 5],
            },
          ],
        },
      },
    ]);
    expect(summarise(batch.metrics)).toEqual([
      ['size_count', 'gauge', 6, base],
      ['size_sum', 'gauge', 60, base],
      ['size_bucket', 'histogram', 1, { ...base, le: '0.5' }],
      ['size_bucket', 'histogram', 3, { ...base, le: '5' }],
      ['size_bucket', 'histogram', 6, { ...base, le: '+Inf' }],
    ]);
  });

  it('rejects histogram points whose buckets do not match their bounds', () => {
    const hist = (bucketCounts: string[], explicitBounds: number[]) => ({
      timeUnixNano: nanos(NOW),
      count: '3',
      bucketCounts,
      explicitBounds,
    });
    const { batch, rejected, rejectionReasons } = ingest([
      {
        name: 'h',
        histogram: {
          aggregationTemporality: CUMULATIVE,
          dataPoints: [hist(['1', '2'], [1, 2]), hist(['1', '1', '1'], [2, 1]), hist([], [])],
        },
      },
    ]);
    expect(rejected).toBe(2);
    expect(rejectionReasons).toEqual([
      'metrics: resourceMetrics[0].scopeMetrics[0].metrics[0] (h).histogram.dataPoints[0]: bucketCounts must have exactly one more entry than explicitBounds',
      'metrics: resourceMetrics[0].scopeMetrics[0].metrics[0] (h).histogram.dataPoints[1]: explicitBounds must be finite and increasing',
    ]);
    expect(batch.metrics.map((p) => p.name)).toEqual(['h_count']);
  });

  it('stringifies point attributes and keeps a clashing attribute as exported_<key>', () => {
    const { batch } = ingest([
      {
        name: 'g',
        gauge: {
          dataPoints: [
            {
              timeUnixNano: nanos(NOW),
              asDouble: 1,
              attributes: keyValues({ code: 200, ok: true, tags: ['a', 'b'], pod: 'other', none: null }),
            },
          ],
        },
      },
    ]);
    expect(batch.metrics[0]?.labels).toEqual({
      ...base,
      code: '200',
      ok: 'true',
      tags: '["a","b"]',
      exported_pod: 'other',
      none: '',
    });
  });

  it('uses the receive time for points without one and rejects points from the far future', () => {
    const { batch, rejected } = ingest([
      {
        name: 'g',
        gauge: { dataPoints: [{ asDouble: 1 }, { timeUnixNano: nanos(NOW + 3 * 86_400_000), asDouble: 2 }] },
      },
    ]);
    expect(batch.metrics.map((p) => [p.timeMs, p.value])).toEqual([[NOW, 1]]);
    expect(rejected).toBe(1);
  });

  it('decodes points that carry exemplars, which it skips', () => {
    const exemplar = {
      timeUnixNano: nanos(NOW - 5),
      asDouble: 0.7,
      filteredAttributes: keyValues({ user: 'u1' }),
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
    };
    const req = metricsRequest({}, [
      {
        name: 'g',
        gauge: { dataPoints: [{ timeUnixNano: nanos(NOW), asDouble: 0.7, exemplars: [exemplar] }] },
      },
    ]);
    // Sleuth's schema leaves exemplars out, so its encoder cannot write one: the protobuf point is
    // written by hand, exemplar (field 5, with a filtered attribute and a span id) included.
    const fixed = (tag: number, write: (b: Buffer) => void) => {
      const b = Buffer.alloc(9);
      b[0] = tag;
      write(b);
      return b;
    };
    const exemplarBytes = Buffer.concat([
      pbField(7, Buffer.concat([pbField(1, Buffer.from('user')), pbField(2, pbField(1, Buffer.from('u1')))])),
      pbField(4, Buffer.from('eee19b7ec3c1b174', 'hex')),
    ]);
    const point = Buffer.concat([
      fixed(0x19, (b) => b.writeBigUInt64LE(BigInt(NOW) * 1_000_000n, 1)),
      fixed(0x21, (b) => b.writeDoubleLE(0.7, 1)),
      pbField(5, exemplarBytes),
    ]);
    const metric = Buffer.concat([pbField(1, Buffer.from('g')), pbField(5, pbField(1, point))]);
    const protobuf = pbField(1, pbField(2, pbField(2, metric)));
    for (const [encoding, body] of [
      ['protobuf', protobuf],
      ['json', jsonBytes(req)],
    ] as const) {
      const { batch, rejected } = ingestOtlp('metrics', encoding, body, ctx);
      expect(rejected).toBe(0);
      expect(batch.metrics.map((p) => [p.name, p.value])).toEqual([['g', 0.7]]);
    }
  });
});
