/**
 * Sends logs, metrics and traces with the official OpenTelemetry JS SDKs and exporters, in both
 * OTLP/HTTP protobuf and JSON, and reads them back through Sleuth's query API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecord, Span } from '@sleuth/core';
import type { RangeResult, SeriesInfo } from '@sleuth/store';
import { getJson, startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.dispose();
});

function resource(encoding: string) {
  return resourceFromAttributes({
    'service.name': `checkout-${encoding}`,
    'k8s.cluster.name': 'prod-eu',
    'k8s.namespace.name': 'shop',
    'k8s.deployment.name': `checkout-${encoding}`,
    'k8s.pod.name': `checkout-${encoding}-7d9f8-abcde`,
    'k8s.container.name': 'app',
  });
}

const ENCODINGS = [
  { name: 'protobuf', logs: LogsProto, metrics: MetricsProto, traces: TracesProto },
  { name: 'json', logs: LogsJson, metrics: MetricsJson, traces: TracesJson },
] as const;

describe.each(ENCODINGS)('official OpenTelemetry exporters over OTLP/HTTP $name', (enc) => {
  it('logs arrive with their severity, attributes and Kubernetes resource', async () => {
    const provider = new LoggerProvider({
      resource: resource(enc.name),
      processors: [
        new SimpleLogRecordProcessor({ exporter: new enc.logs({ url: `${server.url}/v1/logs` }) }),
      ],
    });
    const logger = provider.getLogger('test');
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: `payment declined for order 4711 via ${enc.name}`,
      attributes: { 'order.id': 4711, retryable: false },
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: `order 4712 accepted via ${enc.name}` });
    await provider.forceFlush();
    await provider.shutdown();

    const page = await getJson<{ records: LogRecord[] }>(server.url, `/api/v1/logs?q=declined+${enc.name}`);
    expect(page.records).toHaveLength(1);
    const rec = page.records[0];
    expect(rec).toMatchObject({
      severity: 'error',
      body: `payment declined for order 4711 via ${enc.name}`,
      attributes: { 'order.id': 4711, retryable: false },
      source: {
        cluster: 'prod-eu',
        namespace: 'shop',
        workload: `checkout-${enc.name}`,
        workloadKind: 'Deployment',
        pod: `checkout-${enc.name}-7d9f8-abcde`,
        container: 'app',
        service: `checkout-${enc.name}`,
      },
    });
    const errorsOnly = await getJson<{ records: LogRecord[] }>(
      server.url,
      `/api/v1/logs?workload=checkout-${enc.name}&severity=error`,
    );
    expect(errorsOnly.records.map((r) => r.body)).toEqual([
      `payment declined for order 4711 via ${enc.name}`,
    ]);
  });

  it('metrics arrive as series with points, counters and histograms included', async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new enc.metrics({ url: `${server.url}/v1/metrics` }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource: resource(enc.name), readers: [reader] });
    const meter = provider.getMeter('test');
    const requests = meter.createCounter(`http_requests_${enc.name}`);
    requests.add(5, { code: '200' });
    requests.add(2, { code: '500' });
    meter.createHistogram(`latency_${enc.name}`, { unit: 's' }).record(0.25);
    meter.createGauge(`queue_depth_${enc.name}`).record(17);
    await provider.forceFlush();
    await provider.shutdown();

    const { series } = await getJson<{ series: SeriesInfo[] }>(
      server.url,
      `/api/v1/series?name=http_requests_${enc.name}`,
    );
    expect(series.map((s) => s.labels['code']).sort()).toEqual(['200', '500']);
    expect(series[0]).toMatchObject({ type: 'counter', source: { cluster: 'prod-eu', namespace: 'shop' } });
    const range = await getJson<RangeResult>(
      server.url,
      `/api/v1/series/query?name=http_requests_${enc.name}&label=code=500&from=now-1h&to=now%2B1m`,
    );
    expect(range.series).toHaveLength(1);
    expect(range.series[0]?.points.at(-1)?.[1]).toBe(2);
    const gauge = await getJson<RangeResult>(
      server.url,
      `/api/v1/series/query?name=queue_depth_${enc.name}&from=now-1h`,
    );
    expect(gauge.series[0]?.points.at(-1)?.[1]).toBe(17);
    const hist = await getJson<{ series: SeriesInfo[] }>(
      server.url,
      `/api/v1/series?name=latency_${enc.name}*`,
    );
    expect(hist.series.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        `latency_${enc.name}_count`,
        `latency_${enc.name}_sum`,
        `latency_${enc.name}_bucket`,
      ]),
    );
  });

  it('traces arrive whole, parent and child, with error status', async () => {
    const provider = new BasicTracerProvider({
      resource: resource(enc.name),
      spanProcessors: [new SimpleSpanProcessor(new enc.traces({ url: `${server.url}/v1/traces` }))],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan(`POST /checkout ${enc.name}`);
    const traceId = parent.spanContext().traceId;
    const { trace, context } = await import('@opentelemetry/api');
    const child = tracer.startSpan('SELECT orders', {}, trace.setSpan(context.active(), parent));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'connection refused' });
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();

    const got = await getJson<{ spans: Span[] }>(server.url, `/api/v1/traces/${traceId}`);
    expect(got.spans).toHaveLength(2);
    const db = got.spans.find((s) => s.name === 'SELECT orders');
    expect(db).toMatchObject({
      status: 'error',
      statusMessage: 'connection refused',
      service: `checkout-${enc.name}`,
    });
    expect(db?.parentSpanId).toBe(parent.spanContext().spanId);
    const failed = await getJson<{ spans: Span[] }>(
      server.url,
      `/api/v1/spans?service=checkout-${enc.name}&status=error`,
    );
    expect(failed.spans.map((s) => s.traceId)).toContain(traceId);
  });
});
