import { afterEach, describe, expect, it, vi } from 'vitest';
import { DecodeError, PayloadTooLargeError } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp, type OtlpEncoding, type OtlpSignal } from '../index';
import { jsonBytes, pbField } from './otlp-json-builders';
import { VALUES_PER_RECORD } from './record-limit';
import { otlpType } from './otlp-proto';

const LIMIT = 5;
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: Date.now(), maxRecords: LIMIT };
const empties = (n: number): object[] => Array.from({ length: n }, () => ({}));

/** One resource and scope holding `n` empty records (in one gauge metric for metrics). */
function request(signal: OtlpSignal, n: number): object {
  switch (signal) {
    case 'logs':
      return { resourceLogs: [{ scopeLogs: [{ logRecords: empties(n) }] }] };
    case 'metrics':
      return {
        resourceMetrics: [
          { scopeMetrics: [{ metrics: [{ name: 'up', gauge: { dataPoints: empties(n) } }] }] },
        ],
      };
    case 'traces':
      return { resourceSpans: [{ scopeSpans: [{ spans: empties(n) }] }] };
  }
}

/** `n` empty log records (field 2 of ScopeLogs), two bytes each. */
const emptyRecords = (n: number): Buffer => Buffer.alloc(n * 2, Buffer.from([0x12, 0x00]));

const bytes = (signal: OtlpSignal, encoding: OtlpEncoding, req: object): Uint8Array =>
  encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest(signal, req);

/** Records the request yielded, good and rejected: every one of them was built. */
function recordsOf(signal: OtlpSignal, encoding: OtlpEncoding, req: object): number {
  const { batch, rejected } = ingestOtlp(signal, encoding, bytes(signal, encoding, req), ctx);
  return batch.logs.length + batch.metrics.length + batch.spans.length + rejected;
}

function errorOf(signal: OtlpSignal, encoding: OtlpEncoding, body: Uint8Array): unknown {
  try {
    ingestOtlp(signal, encoding, body, ctx);
  } catch (err) {
    return err;
  }
  return undefined;
}

const CASES = (['logs', 'metrics', 'traces'] as const).flatMap((s) =>
  (['json', 'protobuf'] as const).map((e) => [s, e] as const),
);

describe('ingestOtlp with maxRecords', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(CASES)('%s as %s: accepts a request of exactly the limit', (signal, encoding) => {
    expect(recordsOf(signal, encoding, request(signal, LIMIT))).toBe(LIMIT);
  });

  it.each(CASES)('%s as %s: answers 413 for one record more, naming the limit', (signal, encoding) => {
    const err = errorOf(signal, encoding, bytes(signal, encoding, request(signal, LIMIT + 1)));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
    expect((err as Error).message).toMatch(
      new RegExp(`more than ${LIMIT} (log records|data points|spans) \\(ingest.maxRecordsPerRequest\\)`),
    );
  });

  it('counts records over every resource and scope of the request', () => {
    const req = {
      resourceLogs: [
        { scopeLogs: [{ logRecords: empties(2) }, { logRecords: empties(2) }] },
        { scopeLogs: [{ logRecords: empties(2) }] },
      ],
    };
    for (const encoding of ['json', 'protobuf'] as const) {
      expect(errorOf('logs', encoding, bytes('logs', encoding, req))).toBeInstanceOf(PayloadTooLargeError);
    }
  });

  it.each([
    ['resources', { resourceLogs: empties(LIMIT + 1) }, /resourceLogs entries/],
    ['scopes', { resourceLogs: [{ scopeLogs: empties(LIMIT + 1) }] }, /scopeLogs entries/],
  ])('bounds empty %s as records, which cost as much heap', (_name, req, message) => {
    for (const encoding of ['json', 'protobuf'] as const) {
      expect(errorOf('logs', encoding, bytes('logs', encoding, req))).toMatchObject({
        statusCode: 413,
        message,
      });
    }
  });

  it('bounds metrics without data points', () => {
    const req = { resourceMetrics: [{ scopeMetrics: [{ metrics: empties(LIMIT + 1) }] }] };
    for (const encoding of ['json', 'protobuf'] as const) {
      expect(errorOf('metrics', encoding, bytes('metrics', encoding, req))).toMatchObject({
        statusCode: 413,
        message: expect.stringContaining(`more than ${LIMIT} metrics`) as unknown,
      });
    }
  });

  it('refuses a protobuf body before protobufjs decodes any of it', () => {
    const type = otlpType('ExportLogsServiceRequest');
    type.decode(encodeOtlpRequest('logs', request('logs', 1))); // generates the decoder, which the spy wraps
    const decode = vi.spyOn(type, 'decode');
    // A million empty records in 2 MB, which protobufjs alone would turn into a million objects.
    const body = pbField(1, pbField(2, emptyRecords(1_000_000)));
    expect(errorOf('logs', 'protobuf', body)).toBeInstanceOf(PayloadTooLargeError);
    expect(decode).not.toHaveBeenCalled();
  });

  it('counts what protobufjs reads: fields of the wrong wire type and unknown fields are not records', () => {
    // logRecords (2) as a varint, an unknown group (field 9) holding a record, an unknown fixed64 (10).
    const noise = Buffer.from([0x10, 0x01, 0x4b, 0x12, 0x00, 0x4c, 0x51, 0, 0, 0, 0, 0, 0, 0, 0]);
    const body = pbField(1, pbField(2, Buffer.concat([emptyRecords(LIMIT), noise])));
    const { batch, rejected } = ingestOtlp('logs', 'protobuf', body, ctx);
    expect(batch.logs.length + rejected).toBe(LIMIT);
  });

  it('still answers DecodeError for a truncated protobuf body within the limit', () => {
    const body = encodeOtlpRequest('logs', request('logs', LIMIT));
    expect(errorOf('logs', 'protobuf', body.subarray(0, body.length - 1))).toBeInstanceOf(DecodeError);
  });

  describe('values inside data points (each a stored sample)', () => {
    const MAX_VALUES = LIMIT * VALUES_PER_RECORD;
    const metric = (data: object) => ({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', ...data }] }] }],
    });
    const summary = (n: number) =>
      metric({
        summary: {
          dataPoints: [
            {
              timeUnixNano: '1',
              quantileValues: Array.from({ length: n }, (_, i) => ({ quantile: i / n, value: i })),
            },
          ],
        },
      });
    // n bucket counts and n - 1 bounds: 2n - 1 values.
    const histogram = (n: number) =>
      metric({
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [
            {
              timeUnixNano: '1',
              count: String(n),
              bucketCounts: Array.from({ length: n }, () => '1'),
              explicitBounds: Array.from({ length: n - 1 }, (_, i) => i),
            },
          ],
        },
      });

    it.each(['json', 'protobuf'] as const)(
      '%s: a summary of quantiles up to the limit is stored',
      (encoding) => {
        const { batch } = ingestOtlp(
          'metrics',
          encoding,
          bytes('metrics', encoding, summary(MAX_VALUES)),
          ctx,
        );
        expect(batch.metrics.filter((m) => m.labels['quantile'] !== undefined)).toHaveLength(MAX_VALUES);
      },
    );

    it.each(['json', 'protobuf'] as const)('%s: one quantile more answers 413 naming it', (encoding) => {
      const err = errorOf('metrics', encoding, bytes('metrics', encoding, summary(MAX_VALUES + 1)));
      expect(err).toMatchObject({ statusCode: 413 });
      expect((err as Error).message).toContain(
        `more than ${MAX_VALUES} histogram bucket counts and bounds and summary quantiles (${VALUES_PER_RECORD} × ingest.maxRecordsPerRequest)`,
      );
    });

    it.each(['json', 'protobuf'] as const)(
      '%s: counts a histogram’s bucket counts and bounds',
      (encoding) => {
        const fits = (MAX_VALUES + 1) / 2;
        expect(errorOf('metrics', encoding, bytes('metrics', encoding, histogram(fits)))).toBeUndefined();
        expect(errorOf('metrics', encoding, bytes('metrics', encoding, histogram(fits + 1)))).toMatchObject({
          statusCode: 413,
        });
      },
    );

    it('counts unpacked bucket counts too, one field each, before protobufjs decodes anything', () => {
      const type = otlpType('ExportMetricsServiceRequest');
      type.decode(encodeOtlpRequest('metrics', histogram(2)));
      const decode = vi.spyOn(type, 'decode');
      // A histogram point (field 1 of Histogram, field 9 of Metric) of unpacked fixed64 bucket counts
      // (field 6, wire type 1: tag 0x31 and 8 bytes each).
      const counts = Buffer.alloc((MAX_VALUES + 1) * 9, Buffer.from([0x31, 1, 0, 0, 0, 0, 0, 0, 0]));
      const body = pbField(
        1,
        pbField(2, pbField(2, Buffer.concat([pbField(1, Buffer.from('m')), pbField(9, pbField(1, counts))]))),
      );
      expect(errorOf('metrics', 'protobuf', body)).toMatchObject({ statusCode: 413 });
      expect(decode).not.toHaveBeenCalled();
    });
  });
});
