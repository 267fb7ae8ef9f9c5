import { describe, expect, it } from 'vitest';
import { DecodeError, LogRecord, MetricPoint, Span, ValidationError } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp, type OtlpEncoding } from '../index';
import { jsonBytes, logsRequest, metricsRequest, nanos, tracesRequest } from './otlp-json-builders';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: NOW };
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const text = (s: string) => Buffer.from(s);

describe('ingestOtlp on bodies it cannot decode', () => {
  const valid = encodeOtlpRequest(
    'logs',
    logsRequest([{ resource: {}, records: [{ body: { stringValue: 'a line' } }] }]),
  );

  it.each([
    ['garbage bytes', text('hello world, this is not protobuf')],
    ['a length past the end', Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ['a truncated request', valid.subarray(0, valid.length - 3)],
  ])('throws DecodeError for protobuf with %s', (_name, body) => {
    expect(() => ingestOtlp('logs', 'protobuf', body, ctx)).toThrow(DecodeError);
  });

  it('hints at the content type when JSON is sent as protobuf', () => {
    expect(() => ingestOtlp('logs', 'protobuf', text('{"resourceLogs":[]}'), ctx)).toThrow(
      /Content-Type: application\/json/,
    );
  });

  it('throws DecodeError for text that is not JSON', () => {
    const err = catchError(() => ingestOtlp('logs', 'json', text('{"resourceLogs": ['), ctx));
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ code: 'decode_failed', statusCode: 400 });
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"logs"'],
    ['a non-array resourceLogs', '{"resourceLogs": {"resource": {}}}'],
  ])('throws ValidationError for JSON that is %s', (_name, body) => {
    const err = catchError(() => ingestOtlp('logs', 'json', text(body), ctx));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_request', statusCode: 400 });
  });

  it('names the right endpoint for another signal', () => {
    expect(() => ingestOtlp('logs', 'json', text('{"resourceSpans": []}'), ctx)).toThrow(
      'send it to /v1/traces',
    );
  });

  it('accepts an empty request', () => {
    expect(ingestOtlp('metrics', 'json', text('{}'), ctx)).toMatchObject({
      rejected: 0,
      batch: { metrics: [] },
    });
    expect(ingestOtlp('traces', 'protobuf', new Uint8Array(), ctx)).toMatchObject({
      rejected: 0,
      batch: { spans: [] },
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('ingestOtlp on a partly bad batch', () => {
  const logs = logsRequest([
    {
      resource: { 'service.name': 'api' },
      records: [
        { timeUnixNano: nanos(NOW - 10), body: { stringValue: 'good 1' }, traceId: TRACE, spanId: SPAN },
        { timeUnixNano: nanos(NOW - 9), body: { stringValue: 'bad trace id' }, traceId: '0102030405' },
        { timeUnixNano: nanos(NOW + 2 * 86_400_000), body: { stringValue: 'two days ahead' } },
        { observedTimeUnixNano: nanos(NOW - 8), body: { stringValue: 'good 2, observed time only' } },
        { body: { stringValue: 'good 3, no time at all' }, traceId: '00000000000000000000000000000000' },
        { timeUnixNano: nanos(NOW - 7), body: { stringValue: 'bad span id' }, spanId: 'abcd' },
        { timeUnixNano: nanos(NOW - 6), body: { stringValue: 'x'.repeat(70_000) } },
      ],
    },
  ]);

  it.each(['protobuf', 'json'] as const)(
    'keeps every good log record and names each problem (%s)',
    (encoding: OtlpEncoding) => {
      const body = encoding === 'json' ? jsonBytes(logs) : encodeOtlpRequest('logs', logs);
      const { batch, rejected, rejectionReasons } = ingestOtlp('logs', encoding, body, ctx);
      expect(batch.logs.map((l) => l.body.slice(0, 6))).toEqual(['good 1', 'good 2', 'good 3', 'xxxxxx']);
      for (const l of batch.logs) expect(() => LogRecord.parse(l)).not.toThrow();
      expect(batch.logs[1]?.timeMs).toBe(NOW - 8);
      expect(batch.logs[2]).toMatchObject({ timeMs: NOW });
      expect(batch.logs[2]?.traceId).toBeUndefined();
      const long = batch.logs[3]?.body ?? '';
      expect(Buffer.byteLength(long)).toBeLessThanOrEqual(64 * 1024);
      expect(long).toMatch(/…\[truncated \d+ bytes\]$/);
      expect(rejected).toBe(3);
      expect(rejectionReasons).toEqual([
        'logs: resourceLogs[0].scopeLogs[0].logRecords[1]: traceId must be 32 hex characters',
        "logs: resourceLogs[0].scopeLogs[0].logRecords[2]: timeUnixNano is more than 1 day ahead of the receiver's clock",
        'logs: resourceLogs[0].scopeLogs[0].logRecords[5]: spanId must be 16 hex characters',
      ]);
    },
  );

  it('rejects JSON-only malformations per record: wrong types, unparseable times', () => {
    const body = jsonBytes(
      logsRequest([
        {
          resource: {},
          records: [
            42,
            { timeUnixNano: 'yesterday' },
            { timeUnixNano: '-5' },
            { body: { stringValue: 'ok' } },
          ],
        },
      ]),
    );
    const { batch, rejected, rejectionReasons } = ingestOtlp('logs', 'json', body, ctx);
    expect(batch.logs.map((l) => l.body)).toEqual(['ok']);
    expect(rejected).toBe(3);
    expect(rejectionReasons).toEqual([
      'logs: resourceLogs[0].scopeLogs[0].logRecords[0]: is not an object',
      'logs: resourceLogs[0].scopeLogs[0].logRecords[1]: timeUnixNano is not a valid unsigned nanosecond timestamp (2 in total)',
    ]);
  });

  it('counts repeats of one problem under one reason', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({
      body: { stringValue: 'x' },
      attributes: [],
      traceId: i < 20 ? 'zz' : 'a'.repeat(i),
    }));
    const { rejected, rejectionReasons } = ingestOtlp(
      'logs',
      'json',
      jsonBytes(logsRequest([{ resource: {}, records }])),
      ctx,
    );
    expect(rejected).toBe(30);
    expect(rejectionReasons).toHaveLength(1);
    expect(rejectionReasons[0]).toBe(
      'logs: resourceLogs[0].scopeLogs[0].logRecords[0]: traceId must be 32 hex characters (30 in total)',
    );
  });

  it('drops metric points with NaN, infinite or missing values and metrics without a name', () => {
    const gauge = (value: unknown) => ({ timeUnixNano: nanos(NOW), asDouble: value });
    const req = metricsRequest({}, [
      {
        name: 'temp',
        gauge: { dataPoints: [gauge(1.5), gauge('NaN'), gauge('-Infinity'), { timeUnixNano: nanos(NOW) }] },
      },
      { name: '', gauge: { dataPoints: [gauge(1), gauge(2)] } },
    ]);
    for (const encoding of ['json', 'protobuf'] as const) {
      const body = encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest('metrics', req);
      const { batch, rejected, rejectionReasons } = ingestOtlp('metrics', encoding, body, ctx);
      expect(batch.metrics.map((p) => MetricPoint.parse(p).value)).toEqual([1.5]);
      expect(rejected).toBe(5);
      expect(rejectionReasons).toEqual([
        'metrics: resourceMetrics[0].scopeMetrics[0].metrics[0] (temp).gauge.dataPoints[1]: value is NaN or infinite (2 in total)',
        'metrics: resourceMetrics[0].scopeMetrics[0].metrics[0] (temp).gauge.dataPoints[3]: data point has neither asDouble nor asInt',
        'metrics: resourceMetrics[0].scopeMetrics[0].metrics[1]: metric name is empty (2 in total)',
      ]);
    }
  });

  it('drops spans that end before they start or lack ids', () => {
    const span = (over: object) => ({
      traceId: TRACE,
      spanId: SPAN,
      name: 'op',
      startTimeUnixNano: nanos(NOW - 100),
      endTimeUnixNano: nanos(NOW - 50),
      ...over,
    });
    const req = tracesRequest({}, [
      span({}),
      span({ endTimeUnixNano: nanos(NOW - 150) }),
      span({ spanId: '' }),
      span({ traceId: '00000000000000000000000000000000' }),
    ]);
    for (const encoding of ['json', 'protobuf'] as const) {
      const body = encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest('traces', req);
      const { batch, rejected, rejectionReasons } = ingestOtlp('traces', encoding, body, ctx);
      expect(batch.spans.map((s) => Span.parse(s).service)).toEqual(['unknown']);
      expect(rejected).toBe(3);
      expect(rejectionReasons).toEqual([
        'traces: resourceSpans[0].scopeSpans[0].spans[1]: endTimeUnixNano is before startTimeUnixNano',
        'traces: resourceSpans[0].scopeSpans[0].spans[2]: spanId must be 16 hex characters and not all zero',
        'traces: resourceSpans[0].scopeSpans[0].spans[3]: traceId must be 32 hex characters and not all zero',
      ]);
    }
  });
});
