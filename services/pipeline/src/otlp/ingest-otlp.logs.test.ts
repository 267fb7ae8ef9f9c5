import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { LogRecord } from '@sleuth/core';
import { ingestOtlp, type OtlpEncoding } from '../index';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const T0 = Date.parse('2025-06-01T12:00:00.000Z');

/** Emits a few records through the real SDK and returns what its in-memory exporter received. */
async function sdkLogRecords() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'k8s.cluster.name': 'prod-eu',
      'k8s.namespace.name': 'shop',
      'k8s.deployment.name': 'checkout',
      'k8s.replicaset.name': 'checkout-7d9f',
      'k8s.pod.name': 'checkout-7d9f-x2x4',
      'k8s.container.name': 'app',
      'k8s.node.name': 'node-3',
    }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout.http', '1.2.0');
  const context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    timestamp: T0 + 0.5,
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'payment retry 2/3',
    attributes: { 'http.status_code': 503, ratio: 0.25, retry: true, tags: ['a', 'b'], 'order.id': 'o-1' },
    context,
  });
  logger.emit({ timestamp: T0 + 1, body: { msg: 'cache miss', keys: 2 } });
  logger.emit({ timestamp: T0 + 2, severityText: 'Warning', body: 'disk 91% full' });
  logger.emit({
    timestamp: T0 + 3,
    severityNumber: SeverityNumber.ERROR2,
    eventName: 'order.failed',
    body: 'boom',
  });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('ingestOtlp logs from the OpenTelemetry SDK serializers', async () => {
  const records = await sdkLogRecords();
  const bodies: Record<OtlpEncoding, Uint8Array | undefined> = {
    protobuf: ProtobufLogsSerializer.serializeRequest(records),
    json: JsonLogsSerializer.serializeRequest(records),
  };

  it.each(['protobuf', 'json'] as const)('normalises every field (%s)', (encoding) => {
    const body = bodies[encoding];
    if (body === undefined) throw new Error('the serializer produced nothing');
    const { batch, rejected, rejectionReasons } = ingestOtlp('logs', encoding, body, {
      defaultCluster: 'default',
      redact: false,
      receivedMs: Date.now(),
    });
    expect(rejected).toBe(0);
    expect(rejectionReasons).toEqual([]);
    expect(batch.logs).toHaveLength(4);
    for (const log of batch.logs) expect(() => LogRecord.parse(log)).not.toThrow();
    const [first, second, third, fourth] = batch.logs;
    expect(first).toEqual({
      timeMs: T0 + 0.5,
      observedTimeMs: first?.observedTimeMs,
      source: {
        cluster: 'prod-eu',
        namespace: 'shop',
        workloadKind: 'Deployment',
        workload: 'checkout',
        pod: 'checkout-7d9f-x2x4',
        container: 'app',
        node: 'node-3',
        service: 'checkout',
      },
      severity: 'warn',
      body: 'payment retry 2/3',
      attributes: { 'http.status_code': 503, ratio: 0.25, retry: true, tags: ['a', 'b'], 'order.id': 'o-1' },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
    expect(first?.observedTimeMs).toBeGreaterThan(T0);
    expect(second).toMatchObject({ timeMs: T0 + 1, severity: 'info', body: '{"msg":"cache miss","keys":2}' });
    expect(second?.traceId).toBeUndefined();
    expect(third).toMatchObject({ severity: 'warn', body: 'disk 91% full' });
    expect(fourth).toMatchObject({ severity: 'error', attributes: { 'event.name': 'order.failed' } });
    expect(batch.metrics.length + batch.spans.length + batch.events.length + batch.objects.length).toBe(0);
  });

  it('yields the same records from protobuf and JSON', () => {
    const ctx = { defaultCluster: 'default', redact: false, receivedMs: Date.now() };
    const fromPb = ingestOtlp('logs', 'protobuf', bodies.protobuf ?? new Uint8Array(), ctx);
    const fromJson = ingestOtlp('logs', 'json', bodies.json ?? new Uint8Array(), ctx);
    expect(fromJson.batch).toEqual(fromPb.batch);
  });
});
