import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Span } from '@sleuth/core';
import { ingestOtlp, type OtlpEncoding } from '../index';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');

async function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'frontend',
      'k8s.cluster.name': 'prod-us',
      'k8s.daemonset.name': 'edge',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('frontend', '2.0.0');
  const parent = tracer.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    startTime: T0,
    attributes: { 'http.route': '/checkout' },
  });
  const child = tracer.startSpan(
    'POST payments',
    { kind: SpanKind.CLIENT, startTime: T0 + 10.25 },
    trace.setSpan(context.active(), parent),
  );
  child.recordException({ name: 'TimeoutError', message: 'payments timed out' }, T0 + 200);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end(T0 + 210.75);
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end(T0 + 250);
  await provider.forceFlush();
  return { spans: exporter.getFinishedSpans(), parent: parent.spanContext(), child: child.spanContext() };
}

describe('ingestOtlp traces from the OpenTelemetry SDK serializers', async () => {
  const { spans, parent, child } = await sdkSpans();
  const bodies: Record<OtlpEncoding, Uint8Array | undefined> = {
    protobuf: ProtobufTraceSerializer.serializeRequest(spans),
    json: JsonTraceSerializer.serializeRequest(spans),
  };

  it.each(['protobuf', 'json'] as const)('normalises ids, kinds, status and durations (%s)', (encoding) => {
    const body = bodies[encoding];
    if (body === undefined) throw new Error('the serializer produced nothing');
    const { batch, rejected } = ingestOtlp('traces', encoding, body, {
      defaultCluster: 'x',
      redact: false,
      receivedMs: T0 + 1000,
    });
    expect(rejected).toBe(0);
    for (const s of batch.spans) expect(() => Span.parse(s)).not.toThrow();
    const source = { cluster: 'prod-us', workloadKind: 'DaemonSet', workload: 'edge', service: 'frontend' };
    const server = batch.spans.find((s) => s.kind === 'server');
    const client = batch.spans.find((s) => s.kind === 'client');
    expect(server).toEqual({
      traceId: parent.traceId,
      spanId: parent.spanId,
      name: 'GET /checkout',
      kind: 'server',
      service: 'frontend',
      source,
      startMs: T0,
      endMs: T0 + 250,
      durationMs: 250,
      status: 'ok',
      attributes: { 'http.route': '/checkout' },
    });
    expect(client).toEqual({
      traceId: parent.traceId,
      spanId: child.spanId,
      parentSpanId: parent.spanId,
      name: 'POST payments',
      kind: 'client',
      service: 'frontend',
      source,
      startMs: T0 + 10.25,
      endMs: T0 + 210.75,
      durationMs: 200.5,
      status: 'error',
      statusMessage: 'timeout',
      attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'payments timed out' },
    });
  });

  it('yields the same spans from protobuf and JSON', () => {
    const ctx = { defaultCluster: 'x', redact: false, receivedMs: T0 + 1000 };
    const fromPb = ingestOtlp('traces', 'protobuf', bodies.protobuf ?? new Uint8Array(), ctx);
    const fromJson = ingestOtlp('traces', 'json', bodies.json ?? new Uint8Array(), ctx);
    expect(fromJson.batch.spans).toEqual(fromPb.batch.spans);
  });
});
