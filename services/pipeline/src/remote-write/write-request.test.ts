import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { DecodeError, PayloadTooLargeError } from '@sleuth/core';
import { decodeWriteRequest, MAX_SERIES_LABELS, snappyLength } from './write-request';
import { encodeWriteRequest, encodeWriteRequestProto, STALE } from './write-request-encode';

const LIMITS = { maxDecompressedBytes: 1024 * 1024, maxSamples: 1000 };
const snappy = (bytes: Uint8Array | number[]): Buffer => Buffer.from(compress(Uint8Array.from(bytes)));
const ascii = (s: string): number[] => [...Buffer.from(s)];

describe('decodeWriteRequest', () => {
  it('reads a WriteRequest written byte by byte from remote.proto', () => {
    // TimeSeries{labels: [{__name__: up}], samples: [{value: 1.5, timestamp: 1000}]}
    const label = [0x0a, 8, ...ascii('__name__'), 0x12, 2, ...ascii('up')];
    const sample = [0x09, ...Buffer.from(new Float64Array([1.5]).buffer), 0x10, 0xe8, 0x07];
    const series = [0x0a, label.length, ...label, 0x12, sample.length, ...sample];
    // MetricMetadata{type: GAUGE, metric_family_name: up, help: h, unit: s}
    const meta = [0x08, 2, 0x12, 2, ...ascii('up'), 0x22, 1, ...ascii('h'), 0x2a, 1, ...ascii('s')];
    const body = snappy([0x0a, series.length, ...series, 0x1a, meta.length, ...meta]);

    const req = decodeWriteRequest(body, LIMITS);
    expect(req.series).toEqual([
      {
        labels: [['__name__', 'up']],
        samples: [{ value: 1.5, timeMs: 1000, stale: false }],
        exemplars: 0,
        histograms: 0,
      },
    ]);
    expect(req.metadata).toEqual([{ type: 2, family: 'up', unit: 's' }]);
    expect(req.samples).toBe(1);
  });

  it('tells the staleness marker from other NaNs and counts exemplars and native histograms', () => {
    const body = encodeWriteRequest([
      {
        labels: { __name__: 'queue_depth', pod: 'a' },
        samples: [
          [1000, 3],
          [2000, STALE],
          [3000, NaN],
          [4000, -Infinity],
        ],
        exemplars: 2,
        histograms: 1,
      },
    ]);
    const [series] = decodeWriteRequest(body, LIMITS).series;
    expect(series?.samples.map((s) => s.stale)).toEqual([false, true, false, false]);
    expect(series?.samples[1]?.value).toBeNaN();
    expect(series?.samples[3]?.value).toBe(-Infinity);
    expect(series?.exemplars).toBe(2);
    expect(series?.histograms).toBe(1);
  });

  it('reads large and negative millisecond timestamps exactly', () => {
    const t = 1_767_225_600_123;
    const body = encodeWriteRequest([
      {
        labels: { __name__: 'x' },
        samples: [
          [t, 1],
          [-5, 2],
        ],
      },
    ]);
    const samples = decodeWriteRequest(body, LIMITS).series[0]?.samples;
    expect(samples?.map((s) => s.timeMs)).toEqual([t, -5]);
  });

  it('refuses a body that declares more than the decompressed limit, before inflating it', () => {
    const proto = encodeWriteRequestProto([{ labels: { __name__: 'x' }, samples: [[1, 1]] }]);
    expect(snappyLength(snappy(proto))).toBe(proto.length);
    // A 5-byte header declaring 4 GiB - 1 with no data behind it: only the header is read.
    const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => decodeWriteRequest(bomb, LIMITS)).toThrow(PayloadTooLargeError);
    expect(() => decodeWriteRequest(bomb, LIMITS)).toThrow(/maxDecompressedBytes/);
  });

  it('refuses a request with more samples than the limit', () => {
    const samples: [number, number][] = Array.from({ length: 11 }, (_, i) => [1000 + i, i]);
    const body = encodeWriteRequest([{ labels: { __name__: 'x' }, samples }]);
    expect(() => decodeWriteRequest(body, { ...LIMITS, maxSamples: 10 })).toThrow(/more than 10 samples/);
    expect(decodeWriteRequest(body, { ...LIMITS, maxSamples: 11 }).samples).toBe(11);
  });

  it.each([
    ['plain text', Buffer.from('hello, this is not snappy')],
    ['an invalid snappy header', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['snappy of text that is not protobuf', snappy(ascii('{"timeseries": []}'))],
    ['snappy of a truncated message', snappy([0x0a, 20, 0x0a, 2, 0x0a])],
    ['snappy of zero padding', snappy([0, 0, 0, 0])],
    [
      'the protobuf without snappy',
      Buffer.from(encodeWriteRequestProto([{ labels: { __name__: 'x' }, samples: [[1, 1]] }])),
    ],
  ])('answers DecodeError for %s', (_what, body) => {
    expect(() => decodeWriteRequest(body, LIMITS)).toThrow(DecodeError);
  });

  it('reads an empty request', () => {
    expect(decodeWriteRequest(snappy([]), LIMITS)).toEqual({ series: [], metadata: [], samples: 0 });
  });
});

// Found by test/fuzz/remote-write.fuzz.test.ts: empty series, labels and metadata cost two bytes
// each, so a 1.5 MB body inflated to 16 million objects (2.3 GB of heap) within every limit.
describe('decodeWriteRequest on bodies that inflate to many small objects', () => {
  const repeat = (unit: number[], n: number): Buffer => snappy(new Array<number[]>(n).fill(unit).flat());

  it('refuses more series or metadata entries than the sample limit', () => {
    expect(() => decodeWriteRequest(repeat([0x0a, 0x00], 11), { ...LIMITS, maxSamples: 10 })).toThrow(
      /more than 10 series/,
    );
    expect(() => decodeWriteRequest(repeat([0x1a, 0x00], 11), { ...LIMITS, maxSamples: 10 })).toThrow(
      PayloadTooLargeError,
    );
    expect(decodeWriteRequest(repeat([0x0a, 0x00], 10), { ...LIMITS, maxSamples: 10 }).series).toHaveLength(
      10,
    );
  });

  it(`reads at most ${MAX_SERIES_LABELS} labels of a series and counts the rest`, () => {
    const labels = new Array<number[]>(MAX_SERIES_LABELS + 5).fill([0x0a, 0x00]).flat();
    const body = snappy([0x0a, ...[0x80 | (labels.length & 0x7f), labels.length >> 7], ...labels]);
    const [series] = decodeWriteRequest(body, LIMITS).series;
    expect(series?.labels).toHaveLength(MAX_SERIES_LABELS);
    expect(series?.labelsOverLimit).toBe(5);
  });
});
