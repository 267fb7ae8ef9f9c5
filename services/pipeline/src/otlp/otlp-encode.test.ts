import { describe, expect, it } from 'vitest';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { ValidationError } from '@sleuth/core';
import { encodeOtlpRequest, encodeOtlpResponse, ingestOtlp, type OtlpSignal } from '../index';
import {
  jsonBytes,
  keyValues,
  logsRequest,
  metricsRequest,
  nanos,
  tracesRequest,
} from './otlp-json-builders';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: NOW };

const requests: Record<OtlpSignal, unknown> = {
  logs: logsRequest([
    {
      resource: { 'service.name': 'api', 'k8s.namespace.name': 'web' },
      records: [
        {
          timeUnixNano: nanos(NOW - 1000.123456),
          severityNumber: 17,
          body: {
            kvlistValue: {
              values: keyValues({ msg: 'failed', code: 42, nested: { ok: false }, list: [1, 'two'] }),
            },
          },
          attributes: [
            ...keyValues({ big: '12345678901234567890', pi: 3.14 }),
            { key: 'raw', value: { bytesValue: 'AQID' } },
          ],
          traceId: '5B8EFFF798038103D269B633813FC60C',
          spanId: 'eee19b7ec3c1b174',
          eventName: 'job.failed',
        },
        {
          observed_time_unix_nano: nanos(NOW - 5),
          severity_text: 'debug',
          body: { string_value: 'snake case' },
        },
      ],
    },
  ]),
  metrics: metricsRequest({ 'service.name': 'api' }, [
    { name: 'up', gauge: { dataPoints: [{ timeUnixNano: nanos(NOW), asInt: '1' }] } },
    {
      name: 'rpc.duration',
      unit: 's',
      summary: {
        dataPoints: [
          {
            timeUnixNano: nanos(NOW),
            count: '4',
            sum: 2.5,
            quantileValues: [
              { quantile: 0.5, value: 0.4 },
              { quantile: 0.99, value: 1.2 },
            ],
          },
        ],
      },
    },
  ]),
  traces: tracesRequest({ 'service.name': 'api' }, [
    {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: '',
      name: 'GET /',
      kind: 2,
      startTimeUnixNano: nanos(NOW - 20),
      endTimeUnixNano: nanos(NOW - 5),
      status: { code: 2, message: 'bad gateway' },
      links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175' }],
    },
  ]),
};

describe('encodeOtlpRequest', () => {
  it.each(['logs', 'metrics', 'traces'] as const)(
    'round-trips %s through protobuf to the same records as JSON',
    (signal) => {
      const fromPb = ingestOtlp(signal, 'protobuf', encodeOtlpRequest(signal, requests[signal]), ctx);
      const fromJson = ingestOtlp(signal, 'json', jsonBytes(requests[signal]), ctx);
      expect(fromPb.rejected).toBe(0);
      expect(fromPb.batch).toEqual(fromJson.batch);
    },
  );

  it('keeps every log field', () => {
    const { batch } = ingestOtlp('logs', 'protobuf', encodeOtlpRequest('logs', requests.logs), ctx);
    expect(batch.logs[0]).toEqual({
      timeMs: NOW - 1000.123456,
      source: { cluster: 'lab', namespace: 'web', service: 'api' },
      severity: 'error',
      body: '{"msg":"failed","code":42,"nested":{"ok":false},"list":[1,"two"]}',
      attributes: { big: '12345678901234567890', pi: 3.14, raw: 'AQID', 'event.name': 'job.failed' },
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
    });
    expect(batch.logs[1]).toMatchObject({
      timeMs: NOW - 5,
      observedTimeMs: NOW - 5,
      severity: 'debug',
      body: 'snake case',
    });
  });

  it('rejects input that does not fit the message', () => {
    expect(() => encodeOtlpRequest('logs', [])).toThrow(ValidationError);
    expect(() => encodeOtlpRequest('traces', tracesRequest({}, [{ traceId: 'not-hex' }]))).toThrow(
      /traceId must be a hex string/,
    );
    expect(() => encodeOtlpRequest('logs', { resourceLogs: {} })).toThrow(/resourceLogs must be an array/);
  });
});

const deserializers = {
  logs: { protobuf: ProtobufLogsSerializer, json: JsonLogsSerializer, field: 'rejectedLogRecords' },
  metrics: { protobuf: ProtobufMetricsSerializer, json: JsonMetricsSerializer, field: 'rejectedDataPoints' },
  traces: { protobuf: ProtobufTraceSerializer, json: JsonTraceSerializer, field: 'rejectedSpans' },
} as const;

describe('encodeOtlpResponse', () => {
  it.each(['logs', 'metrics', 'traces'] as const)(
    'reports partial success the OpenTelemetry exporters can read (%s)',
    (signal) => {
      const d = deserializers[signal];
      const pb = encodeOtlpResponse(signal, 'protobuf', {
        rejected: 3,
        errorMessage: 'traceId must be 32 hex characters',
      });
      const json = encodeOtlpResponse(signal, 'json', {
        rejected: 3,
        errorMessage: 'traceId must be 32 hex characters',
      });
      if (typeof pb === 'string' || typeof json !== 'string') throw new Error('wrong body types');
      const expected = { [d.field]: 3, errorMessage: 'traceId must be 32 hex characters' };
      expect(d.protobuf.deserializeResponse(pb)).toEqual({ partialSuccess: expected });
      expect(d.json.deserializeResponse(Buffer.from(json))).toEqual({ partialSuccess: expected });
    },
  );

  it('is an empty response when nothing was rejected', () => {
    expect(encodeOtlpResponse('logs', 'json', { rejected: 0 })).toBe('{}');
    const pb = encodeOtlpResponse('traces', 'protobuf', { rejected: 0 });
    expect(typeof pb === 'string' ? pb.length : pb.byteLength).toBe(0);
  });
});
