import { describe, expect, it } from 'vitest';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { MetricPoint } from '@sleuth/core';
import { ingestOtlp, type OtlpEncoding } from '../index';

/** A reader that only collects on demand, so the test decides when the SDK produces its export. */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function sdkResourceMetrics() {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'cart',
      'k8s.namespace.name': 'shop',
      'k8s.statefulset.name': 'cart-db',
      'k8s.pod.name': 'cart-db-0',
    }),
    readers: [reader],
    views: [{ instrumentName: 'rpc.latency', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('cart', '1.0.0');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}' });
  requests.add(3, { route: '/a', namespace: 'tenant-a' });
  requests.add(2, { route: '/b' });
  const depth = meter.createUpDownCounter('queue.depth');
  depth.add(5);
  depth.add(-2);
  meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'dc1' });
  const duration = meter.createHistogram('http.server.duration', {
    unit: 'ms',
    advice: { explicitBucketBoundaries: [10, 100] },
  });
  for (const v of [5, 50, 500]) duration.record(v);
  const latency = meter.createHistogram('rpc.latency');
  for (const v of [1, 2, 4]) latency.record(v);
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics;
}

describe('ingestOtlp metrics from the OpenTelemetry SDK serializers', async () => {
  const resourceMetrics = await sdkResourceMetrics();
  const bodies: Record<OtlpEncoding, Uint8Array | undefined> = {
    protobuf: ProtobufMetricsSerializer.serializeRequest(resourceMetrics),
    json: JsonMetricsSerializer.serializeRequest(resourceMetrics),
  };
  const source = {
    cluster: 'fallback',
    namespace: 'shop',
    workloadKind: 'StatefulSet',
    workload: 'cart-db',
    pod: 'cart-db-0',
    service: 'cart',
  };
  const base = {
    cluster: 'fallback',
    namespace: 'shop',
    workload: 'cart-db',
    pod: 'cart-db-0',
    service: 'cart',
  };

  it.each(['protobuf', 'json'] as const)('expands every instrument into series samples (%s)', (encoding) => {
    const body = bodies[encoding];
    if (body === undefined) throw new Error('the serializer produced nothing');
    const { batch, rejected } = ingestOtlp('metrics', encoding, body, {
      defaultCluster: 'fallback',
      redact: false,
      receivedMs: Date.now(),
    });
    expect(rejected).toBe(0);
    for (const p of batch.metrics) expect(() => MetricPoint.parse(p)).not.toThrow();
    const sample = (name: string, labels: Record<string, string> = {}) =>
      batch.metrics.filter(
        (p) => p.name === name && Object.entries(labels).every(([k, v]) => p.labels[k] === v),
      );

    const [a] = sample('http.server.requests', { route: '/a' });
    expect(a).toMatchObject({ type: 'counter', unit: '{request}', value: 3, source });
    expect(a?.labels).toEqual({ ...base, route: '/a', exported_namespace: 'tenant-a' });
    expect(sample('http.server.requests', { route: '/b' })[0]?.value).toBe(2);

    expect(sample('queue.depth')).toEqual([
      expect.objectContaining({ type: 'gauge', value: 3, labels: base }),
    ]);
    expect(sample('temperature')).toEqual([
      expect.objectContaining({ type: 'gauge', unit: 'Cel', value: 21.5, labels: { ...base, room: 'dc1' } }),
    ]);

    expect(sample('http.server.duration_count')[0]).toMatchObject({ type: 'counter', value: 3, unit: 'ms' });
    expect(sample('http.server.duration_sum')[0]).toMatchObject({ type: 'counter', value: 555 });
    const buckets = sample('http.server.duration_bucket').map((p) => [p.labels['le'], p.value, p.type]);
    expect(buckets).toEqual([
      ['10', 1, 'histogram'],
      ['100', 2, 'histogram'],
      ['+Inf', 3, 'histogram'],
    ]);

    expect(sample('rpc.latency_count')[0]).toMatchObject({ type: 'counter', value: 3 });
    expect(sample('rpc.latency_sum')[0]).toMatchObject({ type: 'counter', value: 7 });
    expect(sample('rpc.latency_bucket')).toEqual([]);

    const times = new Set(batch.metrics.map((p) => p.timeMs));
    expect(times.size).toBe(1);
    expect([...times][0]).toBeGreaterThan(Date.now() - 60_000);
    expect(batch.metrics).toHaveLength(2 + 1 + 1 + 2 + 3 + 2);
  });

  it('yields the same samples from protobuf and JSON', () => {
    const ctx = { defaultCluster: 'fallback', redact: false, receivedMs: Date.now() };
    const fromPb = ingestOtlp('metrics', 'protobuf', bodies.protobuf ?? new Uint8Array(), ctx);
    const fromJson = ingestOtlp('metrics', 'json', bodies.json ?? new Uint8Array(), ctx);
    expect(fromJson.batch.metrics).toEqual(fromPb.batch.metrics);
  });
});
