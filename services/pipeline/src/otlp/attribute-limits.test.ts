import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttrValue, Attributes } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp, type OtlpEncoding, type OtlpSignal } from '../index';
import { LimitCounts, cutUtf8, type AttributeLimits } from './attribute-limits';
import {
  anyValue,
  jsonBytes,
  keyValues,
  logsRequest,
  metricsRequest,
  nanos,
  pbField,
  tracesRequest,
} from './otlp-json-builders';
import type { LogIn, RequestIn, SpanIn } from './otlp-model';
import { decodeLogs, decodeMetrics, decodeTraces } from './otlp-decode';
import { otlpType } from './otlp-proto';

const NOW = Date.parse('2026-11-24T10:00:00.000Z');
const LIMITS: AttributeLimits = { maxAttributes: 3, maxValueBytes: 8, maxDepth: 2, maxEvents: 2 };
const ENCODINGS: OtlpEncoding[] = ['json', 'protobuf'];

const bytes = (signal: OtlpSignal, encoding: OtlpEncoding, req: object): Uint8Array =>
  encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest(signal, req);

/** `n` attributes `a0`..`a<n-1>` with values 0..n-1. */
const numbered = (n: number): Attributes =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));

function limitedLogs(encoding: OtlpEncoding, req: object, limits = LIMITS) {
  const counts = new LimitCounts();
  const decoded = decodeLogs(encoding, bytes('logs', encoding, req), { attributes: { limits, counts } });
  return { decoded, counts };
}

const records = <T>(req: RequestIn<T>): T[] =>
  req.flatMap((r) => r?.scopes.flatMap((s) => s ?? []) ?? []).filter((x): x is T => x !== null);

const logWith = (attributes: Attributes, extra: object = {}) => ({
  timeUnixNano: nanos(NOW),
  body: { stringValue: 'hi' },
  attributes: keyValues(attributes),
  ...extra,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('attribute limits', () => {
  it.each(ENCODINGS)(
    '%s: keeps the first attributes of a record and a resource, counting the rest',
    (encoding) => {
      const req = logsRequest([
        { resource: numbered(5), records: [logWith(numbered(4)), logWith(numbered(2))] },
      ]);
      const { decoded, counts } = limitedLogs(encoding, req);
      expect(decoded[0]?.attributes).toEqual(numbered(3));
      expect(records(decoded).map((r) => r.attributes)).toEqual([numbered(3), numbered(2)]);
      expect(counts).toMatchObject({ droppedAttributes: 3, truncatedValues: 0, droppedEvents: 0 });
    },
  );

  it.each(ENCODINGS)('%s: applies to data points of every metric type', (encoding) => {
    const point = { timeUnixNano: nanos(NOW), attributes: keyValues(numbered(5)) };
    const metric = (name: string, data: object) => ({ name, ...data });
    const req = metricsRequest({}, [
      metric('g', { gauge: { dataPoints: [{ ...point, asDouble: 1 }] } }),
      metric('s', { sum: { dataPoints: [{ ...point, asInt: '1' }], aggregationTemporality: 2 } }),
      metric('h', { histogram: { dataPoints: [{ ...point, count: '1', bucketCounts: ['1'] }] } }),
      metric('e', { exponentialHistogram: { dataPoints: [{ ...point, count: '1' }] } }),
      metric('q', { summary: { dataPoints: [{ ...point, count: '1', sum: 1 }] } }),
    ]);
    const counts = new LimitCounts();
    const decoded = decodeMetrics(encoding, bytes('metrics', encoding, req), {
      attributes: { limits: LIMITS, counts },
    });
    const attrs = records(decoded).flatMap((m) => m.data?.points.map((p) => p?.attributes) ?? []);
    expect(attrs).toEqual(Array.from({ length: 5 }, () => numbered(3)));
    expect(counts.droppedAttributes).toBe(10);
  });

  it.each(ENCODINGS)('%s: applies to spans and their events, and keeps the first events', (encoding) => {
    const event = (name: string) => ({ name, timeUnixNano: nanos(NOW), attributes: keyValues(numbered(4)) });
    const req = tracesRequest({}, [
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        startTimeUnixNano: nanos(NOW - 5),
        endTimeUnixNano: nanos(NOW),
        attributes: keyValues(numbered(6)),
        events: [event('e0'), event('e1'), event('exception')],
      },
    ]);
    const counts = new LimitCounts();
    const decoded = decodeTraces(encoding, bytes('traces', encoding, req), {
      attributes: { limits: LIMITS, counts },
    });
    const [span] = records<SpanIn>(decoded);
    expect(span?.attributes).toEqual(numbered(3));
    expect(span?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['e0', numbered(3)],
      ['e1', numbered(3)],
    ]);
    expect(counts).toMatchObject({ droppedAttributes: 5, droppedEvents: 1 });
  });

  it.each(ENCODINGS)('%s: cuts long strings on a character boundary and long byte arrays', (encoding) => {
    const req = logsRequest([
      {
        resource: {},
        records: [
          {
            ...logWith({ short: 'abcdefgh', long: 'abcdefghij', accents: 'ééééé', emoji: 'a😀😀' }),
            attributes: [
              ...keyValues({ short: 'abcdefgh', long: 'abcdefghij', accents: 'ééééé', emoji: 'a😀😀' }),
              { key: 'raw', value: { bytesValue: Buffer.from('0123456789').toString('base64') } },
            ],
          },
        ],
      },
    ]);
    const { decoded, counts } = limitedLogs(encoding, req, { ...LIMITS, maxAttributes: 10 });
    expect(records<LogIn>(decoded)[0]?.attributes).toEqual({
      short: 'abcdefgh',
      long: 'abcdefgh',
      accents: 'éééé',
      emoji: 'a😀',
      raw: Buffer.from('01234567').toString('base64'),
    });
    expect(counts.truncatedValues).toBe(4);
  });

  it.each(ENCODINGS)(
    '%s: empties arrays and maps nested too deep, and cuts strings inside values',
    (encoding) => {
      const deep: AttrValue = { list: [['x']], map: { inner: { leaf: 1 } }, text: ['abcdefghijk'] };
      const req = logsRequest([{ resource: {}, records: [logWith({ deep, flat: [1, 2] })] }]);
      const { decoded, counts } = limitedLogs(encoding, req, { ...LIMITS, maxAttributes: 10 });
      expect(records<LogIn>(decoded)[0]?.attributes).toEqual({
        deep: { list: [], map: {}, text: [] },
        flat: [1, 2],
      });
      expect(counts.truncatedValues).toBe(1);
      const { decoded: three } = limitedLogs(encoding, req, { ...LIMITS, maxAttributes: 10, maxDepth: 3 });
      expect(records<LogIn>(three)[0]?.attributes['deep']).toEqual({
        list: [[]],
        map: { inner: {} },
        text: ['abcdefgh'],
      });
    },
  );

  it.each(ENCODINGS)(
    '%s: keeps as many elements in a value as attributes, over all its levels',
    (encoding) => {
      const req = logsRequest([
        {
          resource: {},
          records: [logWith({ list: [1, [2, 3], 4], map: { a: 1, b: 2, c: 3, d: 4 }, ok: [1] })],
        },
      ]);
      const { decoded, counts } = limitedLogs(encoding, req, { ...LIMITS, maxDepth: 8 });
      // [1, [2, 3], 4]: 1, [2, 3] and 2 are the first three elements; 3 and 4 are dropped.
      expect(records<LogIn>(decoded)[0]?.attributes).toEqual({
        list: [1, [2]],
        map: { a: 1, b: 2, c: 3 },
        ok: [1],
      });
      expect(counts).toMatchObject({ droppedAttributes: 0, truncatedValues: 2 });
    },
  );

  it.each(ENCODINGS)('%s: cuts nothing without limits', (encoding) => {
    const req = logsRequest([
      { resource: {}, records: [logWith({ ...numbered(200), long: 'x'.repeat(100_000) })] },
    ]);
    const decoded = decodeLogs(encoding, bytes('logs', encoding, req));
    expect(Object.keys(records<LogIn>(decoded)[0]?.attributes ?? {})).toHaveLength(201);
  });

  it('merges the attributes of a resource sent twice, as protobufjs does, and limits them together', () => {
    const type = otlpType('Resource');
    const resource = (attrs: Attributes) =>
      type.encode(type.fromObject({ attributes: keyValues(attrs).map(({ key }) => ({ key })) })).finish();
    // ResourceLogs { resource {a0 a1}, resource {b0 b1} }: protobufjs merges them into one Resource.
    const body = pbField(
      1,
      Buffer.concat([pbField(1, resource({ a0: 0, a1: 1 })), pbField(1, resource({ b0: 0, b1: 1 }))]),
    );
    const counts = new LimitCounts();
    const decoded = decodeLogs('protobuf', body, { attributes: { limits: LIMITS, counts } });
    expect(decoded[0]?.attributes).toEqual({ a0: null, a1: null, b0: null });
    expect(counts.droppedAttributes).toBe(1);
  });

  it('never hands protobufjs a record of 100,000 attributes, only what is kept', () => {
    const req = logsRequest([{ resource: {}, records: [logWith(numbered(100_000))] }]);
    const body = encodeOtlpRequest('logs', req);
    const type = otlpType('ExportLogsServiceRequest');
    type.decode(encodeOtlpRequest('logs', logsRequest([]))); // generates the decoder the spy wraps
    const decode = vi.spyOn(type, 'decode');
    const limits = { ...LIMITS, maxAttributes: 128 };
    const result = ingestOtlp('logs', 'protobuf', body, {
      defaultCluster: 'lab',
      redact: false,
      receivedMs: NOW,
      limits,
    });
    expect(body.length).toBeGreaterThan(1_000_000);
    const handed = decode.mock.calls[0]?.[0];
    expect(handed instanceof Uint8Array ? handed.length : Infinity).toBeLessThan(2_000);
    expect(Object.keys(result.batch.logs[0]?.attributes ?? {})).toHaveLength(128);
    expect(result.limited).toEqual({ droppedAttributes: 99_872, truncatedValues: 0, droppedEvents: 0 });
    expect(result.limitWarning).toBe(
      'logs: 99872 attributes dropped past ingest.maxAttributesPerRecord (128 per resource, record, data point, span or span event); the records were stored without them',
    );
  });

  it('skips span links, exemplars and instrumentation scopes unread', () => {
    const req = tracesRequest({}, [
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175' }],
      },
    ]);
    const message = otlpType('ExportTraceServiceRequest').toObject(
      otlpType('ExportTraceServiceRequest').decode(encodeOtlpRequest('traces', req)),
    );
    expect(JSON.stringify(message)).not.toMatch(/links|scope"/);
    expect(Object.keys(otlpType('Span').fields)).not.toContain('links');
    expect(Object.keys(otlpType('NumberDataPoint').fields)).not.toContain('exemplars');
    expect(Object.keys(otlpType('ScopeLogs').fields)).not.toContain('scope');
  });

  it('says what it cut in the warning, naming the keys', () => {
    const counts = new LimitCounts();
    counts.droppedAttributes = 2;
    counts.truncatedValues = 1;
    counts.droppedEvents = 3;
    expect(counts.warning(LIMITS)).toBe(
      '2 attributes dropped past ingest.maxAttributesPerRecord (3 per resource, record, data point, span or span event); ' +
        '1 attribute values cut to ingest.maxAttributeValueBytes (8), ingest.maxAttributeDepth (2) or 3 elements; ' +
        '3 span events dropped past ingest.maxEventsPerSpan (2); the records were stored without them',
    );
    expect(new LimitCounts().warning(LIMITS)).toBeUndefined();
  });

  it('cuts UTF-8 without splitting a character', () => {
    expect(cutUtf8('abc', 3)).toBe('abc');
    expect(cutUtf8('aé', 2)).toBe('a');
    expect(cutUtf8('😀x', 3)).toBe('');
    expect(cutUtf8('😀x', 4)).toBe('😀');
    expect(anyValue('x')).toEqual({ stringValue: 'x' });
  });
});
