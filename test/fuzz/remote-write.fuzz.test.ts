/**
 * Fuzzing the Prometheus remote write 1.0 decoder (write-request.ts, snappy-block.ts and
 * ingest-remote-write.ts): any bytes, snappy blocks with lying headers and broken elements,
 * protobuf-like WriteRequests, valid requests with bytes edited before and after compression, and
 * valid requests, which must decode to what was encoded.
 */
import fc from 'fast-check';
import { compress } from 'snappyjs';
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MetricPoint } from '@sleuth/core';
import {
  MetricFamilies,
  STALE,
  encodeWriteRequest,
  encodeWriteRequestProto,
  ingestRemoteWrite,
  type MetadataToWrite,
  type SeriesToWrite,
} from '@sleuth/pipeline';
import {
  MAX_SERIES_LABELS,
  decodeWriteRequest,
  snappyLength,
  type WireWriteRequest,
} from '../../services/pipeline/src/remote-write/write-request';
import { applyByteEdits, byteEdits, text, wildString } from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';
import { protobufLike, varint } from './support/protobuf-bytes';

const NOW = Date.now();
const LIMITS = { maxDecompressedBytes: 64 * 1024, maxSamples: 500 };
const context = () => ({
  ...LIMITS,
  cluster: { label: 'cluster', fallback: 'fuzz' },
  receivedMs: NOW,
  families: new MetricFamilies(100),
});
const snappy = (bytes: Uint8Array): Buffer => Buffer.from(compress(bytes));

/** What a decoded request may hold: within the limits, and never more objects than inflated bytes. */
function expectBounded(req: WireWriteRequest, body: Buffer): void {
  const max = LIMITS.maxSamples;
  ensure(req.series.length <= max, () => `${req.series.length} series, limit ${max}`);
  ensure(req.metadata.length <= max, () => `${req.metadata.length} metadata entries, limit ${max}`);
  ensure(req.samples <= max, () => `${req.samples} samples, limit ${max}`);
  let objects = req.series.length + req.metadata.length;
  for (const s of req.series) {
    ensure(s.labels.length <= MAX_SERIES_LABELS, () => `a series of ${s.labels.length} labels`);
    objects += s.labels.length + s.samples.length;
  }
  const inflated = snappyLength(body);
  ensure(objects <= inflated / 2, () => `${objects} objects from ${inflated} inflated bytes`);
}

/** Decodes and ingests `body`; both must answer alike, within bounds, with storable points. */
function check(body: Buffer): void {
  const decoded = decodeOrReject(() => decodeWriteRequest(body, LIMITS));
  const ingested = decodeOrReject(() => ingestRemoteWrite(body, context()));
  ensure(ingested.ok === decoded.ok, () => 'decoding and ingesting disagree on whether the body is good');
  if (!decoded.ok || !ingested.ok) return;
  expectBounded(decoded.value, body);
  const r = ingested.value;
  const accounted = r.batch.metrics.length + r.rejected + r.skipped.staleMarkers + r.skipped.nonFinite;
  ensure(accounted === r.samples, () => `${accounted} samples accounted for, of ${r.samples}`);
  for (const p of r.batch.metrics) MetricPoint.parse(p);
}

/** Strings protobuf carries unchanged (lone surrogates would come back as U+FFFD). */
const wellFormed = fc.oneof(
  text,
  wildString.filter((s) => Buffer.from(s).toString() === s),
);
const labelName = fc.oneof(
  fc.constantFrom('__name__', 'job', 'namespace', 'pod', 'container', 'node', 'deployment', 'cluster', 'le'),
  wellFormed,
);
const sampleValue = fc.oneof(
  fc.double(),
  fc.constantFrom<number | typeof STALE>(STALE, NaN, Infinity, -Infinity, 0, -0),
);
const sampleTime = fc.oneof(fc.integer({ min: NOW - 86_400_000, max: NOW + 3_600_000 }), fc.maxSafeInteger());
const series: fc.Arbitrary<SeriesToWrite> = fc.record({
  labels: fc.array(fc.tuple(labelName, wellFormed), { maxLength: 4 }),
  samples: fc.array(fc.tuple(sampleTime, sampleValue), { maxLength: 3 }),
  exemplars: fc.integer({ min: 0, max: 2 }),
  histograms: fc.integer({ min: 0, max: 2 }),
});
const metadata: fc.Arbitrary<MetadataToWrite> = fc.record(
  { type: fc.integer({ min: -1, max: 9 }), family: wellFormed, help: text, unit: wellFormed },
  { requiredKeys: ['type', 'family'] },
);
const request = fc.record({
  series: fc.array(series, { maxLength: 3 }),
  metadata: fc.array(metadata, { maxLength: 2 }),
});

describe('the remote write decoder', () => {
  it(
    'answers any bytes, and snappy blocks of protobuf-like bytes, with points or a coded 4xx error',
    () => {
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
        fc.uint8Array({ maxLength: 2048 }).map(snappy),
        protobufLike.map(snappy),
        // A fragment repeated: what compresses best, so a small body inflates to the most objects.
        fc
          .tuple(
            protobufLike.filter((b) => b.length > 0 && b.length < 16),
            fc.integer({ min: 1, max: 4000 }),
          )
          .map(([unit, n]) => snappy(Buffer.concat(new Array<Uint8Array>(n).fill(unit)))),
        // A header declaring any length, then any bytes.
        fc
          .tuple(fc.bigInt({ min: 0n, max: 2n ** 35n }), fc.uint8Array({ maxLength: 64 }))
          .map(([n, b]) => Buffer.from([...varint(n), ...b])),
      );
      fuzz(body, check);
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'reads valid requests with bytes edited before or after compression',
    () => {
      const arb = fc.tuple(request, byteEdits, fc.boolean());
      fuzz(arb, ([req, edits, beforeCompression]) => {
        const proto = encodeWriteRequestProto(req.series, req.metadata);
        check(
          beforeCompression
            ? snappy(applyByteEdits(proto, edits))
            : Buffer.from(applyByteEdits(snappy(proto), edits)),
        );
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'decodes a valid request to what was encoded',
    () => {
      fuzz(request, (req) => {
        const body = encodeWriteRequest(req.series, req.metadata);
        const got = decodeWriteRequest(body, LIMITS);
        const want = req.series.map((s) => ({
          labels: s.labels,
          exemplars: s.exemplars,
          histograms: s.histograms,
          times: s.samples.map(([t]) => t),
          values: s.samples.map(([, v]) => (v === STALE ? 'stale' : v)),
        }));
        const read = got.series.map((s) => ({
          labels: s.labels,
          exemplars: s.exemplars,
          histograms: s.histograms,
          times: s.samples.map((x) => x.timeMs),
          values: s.samples.map((x) => (x.stale ? 'stale' : x.value)),
        }));
        assert.deepStrictEqual(read, want);
        const meta = req.metadata.map((m) => ({ type: m.type, family: m.family, unit: m.unit ?? '' }));
        assert.deepStrictEqual(got.metadata, meta);
        check(body);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
