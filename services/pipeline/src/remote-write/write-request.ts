import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';
import { DecodeError, PayloadTooLargeError } from '@sleuth/core';
import { longToNumber } from '../otlp/proto-values';
import { snappyBlockProblem } from './snappy-block';

/**
 * Prometheus remote write 1.0 on the wire: a snappy block (not the framed format) holding a protobuf
 * `prometheus.WriteRequest`. Read with protobufjs's Reader field by field rather than through a
 * schema, for two reasons: a sample's value is taken as raw bits, so the staleness marker (one exact
 * NaN) is told from other NaNs without trusting how NaN payloads survive a JS number; and exemplars
 * and native histograms, which Sleuth does not store, are counted and skipped without being built.
 */

/** One sample: value (raw double) and timestamp, epoch ms. */
export interface WireSample {
  value: number;
  timeMs: number;
  /** Prometheus's staleness marker (NaN with bits 0x7ff0000000000002): the series ended here. */
  stale: boolean;
}

/** Most labels read of one series; a series with more is rejected (Mimir allows 30, VictoriaMetrics 40). */
export const MAX_SERIES_LABELS = 128;

/** One `TimeSeries`, labels in the order sent. */
export interface WireSeries {
  labels: [name: string, value: string][];
  samples: WireSample[];
  /** Exemplars (field 3) and native histograms (field 4) sent with the series, skipped. */
  exemplars: number;
  histograms: number;
  /** Labels past MAX_SERIES_LABELS, skipped unread; set only when there were any. */
  labelsOverLimit?: number;
}

/** One `MetricMetadata`; `type` is the proto enum (0 unknown, 1 counter, 2 gauge, 3 histogram, ...). */
export interface WireMetadata {
  type: number;
  family: string;
  unit: string;
}

/** A decoded `WriteRequest`. */
export interface WireWriteRequest {
  series: WireSeries[];
  metadata: WireMetadata[];
  /** Samples in all series, stale markers included. */
  samples: number;
}

/** Limits applied while a body is read. */
export interface WriteRequestLimits {
  /** Largest decompressed body, bytes (checked against the snappy header before inflating). */
  maxDecompressedBytes: number;
  /**
   * Most samples in the request, and most series and metadata entries: Prometheus puts one sample,
   * exemplar or histogram in each series it sends and counts each toward max_samples_per_send.
   */
  maxSamples: number;
}

/** The uncompressed length a snappy block declares (a varint of at most 32 bits), or -1 when invalid. */
export function snappyLength(block: Uint8Array): number {
  let length = 0;
  for (let i = 0, shift = 0; i < 5 && i < block.length; i++, shift += 7) {
    const byte = block[i] ?? 0;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return length <= 0xffffffff ? length : -1;
  }
  return -1;
}

/**
 * Inflates a snappy block. Throws PayloadTooLargeError past `maxBytes`, DecodeError when it is not
 * snappy; the block is checked whole before anything is allocated for it.
 */
export function decompressSnappy(block: Buffer, maxBytes: number): Buffer {
  const length = snappyLength(block);
  if (length < 0) throw new DecodeError('the body is not a snappy block: its length header is invalid');
  if (length > maxBytes) {
    throw new PayloadTooLargeError(
      `the body inflates to ${length} bytes, past the limit of ${maxBytes} (prometheus.remoteWrite.maxDecompressedBytes); lower queue_config.max_samples_per_send`,
      { bytes: length, maxBytes },
    );
  }
  const problem = snappyBlockProblem(block, length);
  if (problem !== undefined) {
    throw new DecodeError(
      `the body is not valid snappy (block format, as remote write 1.0 sends): ${problem}`,
    );
  }
  try {
    return uncompress(block, maxBytes);
  } catch (err) {
    throw new DecodeError(
      `the body is not valid snappy (block format, as remote write 1.0 sends): ${(err as Error).message}`,
    );
  }
}

const LABELS = (1 << 3) | 2;
const SAMPLES = (2 << 3) | 2;
const EXEMPLARS = (3 << 3) | 2;
const HISTOGRAMS = (4 << 3) | 2;
const TIMESERIES = (1 << 3) | 2;
const METADATA = (3 << 3) | 2;

type Reader = protobuf.Reader;

/** Reads the next tag; field number 0 never occurs in valid protobuf (it is what zero padding reads as). */
function tag(r: Reader): number {
  const t = r.uint32();
  if (t >>> 3 === 0) throw new Error(`invalid field number 0 at offset ${r.pos}`);
  return t;
}

/** The end offset of the length-delimited field starting at the reader's position. */
function fieldEnd(r: Reader): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw new Error(`a field of ${length} bytes runs past the end of the message`);
  return end;
}

function checkEnd(r: Reader, end: number): void {
  if (r.pos !== end) throw new Error(`a nested message overruns its length at offset ${r.pos}`);
}

function readLabel(r: Reader): [string, string] {
  const end = fieldEnd(r);
  let name = '';
  let value = '';
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | 2)) name = r.string();
    else if (t === ((2 << 3) | 2)) value = r.string();
    else r.skipType(t & 7);
  }
  checkEnd(r, end);
  return [name, value];
}

function readSample(r: Reader): WireSample {
  const end = fieldEnd(r);
  const s: WireSample = { value: 0, timeMs: 0, stale: false };
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | 1)) {
      const at = r.pos;
      s.value = r.double();
      const b = r.buf;
      // Little-endian 0x7ff0000000000002: low word 2, high word 0x7ff00000.
      s.stale =
        b[at] === 2 &&
        b[at + 1] === 0 &&
        b[at + 2] === 0 &&
        b[at + 3] === 0 &&
        b[at + 4] === 0 &&
        b[at + 5] === 0 &&
        b[at + 6] === 0xf0 &&
        b[at + 7] === 0x7f;
    } else if (t === ((2 << 3) | 0)) s.timeMs = longToNumber(r.int64());
    else r.skipType(t & 7);
  }
  checkEnd(r, end);
  return s;
}

function tooMany(what: string, maxSamples: number, setting = 'queue_config'): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the request holds more than ${maxSamples} ${what} (prometheus.remoteWrite.maxSamplesPerRequest); lower ${setting}.max_samples_per_send`,
    { maxSamples },
  );
}

function readSeries(r: Reader, counted: { samples: number }, maxSamples: number): WireSeries {
  const end = fieldEnd(r);
  const s: WireSeries = { labels: [], samples: [], exemplars: 0, histograms: 0 };
  while (r.pos < end) {
    const t = tag(r);
    if (t === LABELS) {
      if (s.labels.length < MAX_SERIES_LABELS) s.labels.push(readLabel(r));
      else {
        r.skipType(2);
        s.labelsOverLimit = (s.labelsOverLimit ?? 0) + 1;
      }
    } else if (t === SAMPLES) {
      if (++counted.samples > maxSamples) throw tooMany('samples', maxSamples);
      s.samples.push(readSample(r));
    } else if (t === EXEMPLARS || t === HISTOGRAMS) {
      r.skipType(2);
      if (t === EXEMPLARS) s.exemplars++;
      else s.histograms++;
    } else r.skipType(t & 7);
  }
  checkEnd(r, end);
  return s;
}

function readMetadata(r: Reader): WireMetadata {
  const end = fieldEnd(r);
  const m: WireMetadata = { type: 0, family: '', unit: '' };
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | 0)) m.type = r.int32();
    else if (t === ((2 << 3) | 2)) m.family = r.string();
    else if (t === ((5 << 3) | 2)) m.unit = r.string();
    else r.skipType(t & 7);
  }
  checkEnd(r, end);
  return m;
}

/**
 * Decodes a remote write 1.0 body as sent (snappy-compressed). Throws PayloadTooLargeError past the
 * limits and DecodeError when the body is not snappy or not a WriteRequest; anything it returns is
 * structurally sound, though labels and samples are not yet validated.
 */
export function decodeWriteRequest(body: Buffer, limits: WriteRequestLimits): WireWriteRequest {
  const raw = decompressSnappy(body, limits.maxDecompressedBytes);
  const r = protobuf.Reader.create(raw);
  const out: WireWriteRequest = { series: [], metadata: [], samples: 0 };
  try {
    while (r.pos < r.len) {
      const t = tag(r);
      if (t === TIMESERIES) {
        // Empty series and metadata cost two bytes each: without these bounds a 1.5 MB body of
        // them inflates to 16 million objects.
        if (out.series.length >= limits.maxSamples) throw tooMany('series', limits.maxSamples);
        out.series.push(readSeries(r, out, limits.maxSamples));
      } else if (t === METADATA) {
        if (out.metadata.length >= limits.maxSamples) {
          throw tooMany('metadata entries', limits.maxSamples, 'metadata_config');
        }
        out.metadata.push(readMetadata(r));
      } else r.skipType(t & 7);
    }
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw err;
    throw new DecodeError(
      `the body is not a protobuf prometheus.WriteRequest (remote write 1.0): ${(err as Error).message}`,
    );
  }
  return out;
}
