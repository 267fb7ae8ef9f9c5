/**
 * Fuzzing the OTLP/protobuf decoder (otlp-decode.ts, proto-reader.ts, proto-values.ts with the
 * schema of otlp-proto.ts, and the stages behind ingestOtlp) for logs, metrics and traces: any
 * bytes, protobuf-like field soup, and valid requests. A valid request must decode, as OTLP/JSON,
 * to what was sent and, encoded, to exactly the same with the protobuf decoder; with bytes of the
 * encoding flipped, inserted, cut or turned into runaway varints it must still decode or fail
 * with a coded 4xx error. One generated request serves both decoders. Under attribute limits, both
 * decoders cut a valid request alike, to within the limits.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { AttrValue } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp, type OtlpSignal } from '@sleuth/pipeline';
import { LimitCounts } from '../../services/pipeline/src/otlp/attribute-limits';
import { decodeLogs, decodeMetrics, decodeTraces } from '../../services/pipeline/src/otlp/otlp-decode';
import type { RequestIn } from '../../services/pipeline/src/otlp/otlp-model';
import { applyByteEdits, byteEdits } from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';
import {
  attributesWithin,
  expectedItem,
  expectStorable,
  sentItems,
  type Limits,
} from './support/otlp-expect';
import { itemCount, validRequest } from './support/otlp-requests';
import { protobufLike } from './support/protobuf-bytes';

const SIGNALS: OtlpSignal[] = ['logs', 'metrics', 'traces'];
const signal = fc.constantFrom(...SIGNALS);
const valid = fc.oneof(...SIGNALS.map((s) => fc.tuple(fc.constant(s), validRequest(s))));
const ctx = (redact: boolean, limits?: Limits) => ({
  defaultCluster: 'fuzz',
  redact,
  receivedMs: Date.now(),
  ...(limits === undefined ? {} : { limits }),
});
const DECODE = { logs: decodeLogs, metrics: decodeMetrics, traces: decodeTraces };
/** Limits the edited bodies are read under: small enough to cut, so edits meet the wire walk's cuts. */
const EDITED_LIMITS: Limits = { maxAttributes: 1, maxValueBytes: 4, maxDepth: 2, maxEvents: 1 };
/** Small limits, so that the generated requests (two attributes, short strings, shallow values) meet them. */
const smallLimits: fc.Arbitrary<Limits> = fc.record({
  maxAttributes: fc.integer({ min: 0, max: 3 }),
  maxValueBytes: fc.integer({ min: 1, max: 24 }),
  maxDepth: fc.integer({ min: 1, max: 3 }),
  maxEvents: fc.integer({ min: 0, max: 2 }),
});

type Attrs = Record<string, AttrValue>;

/** Checks every attribute collection and span event list of a decoded request against the limits. */
function expectWithinLimits(decoded: RequestIn<unknown>, limits: Limits): void {
  decoded.forEach((r, i) => {
    if (r === null) return;
    attributesWithin(r.attributes, limits, `resource ${i}`);
    for (const item of r.scopes.flat()) {
      if (item === null || typeof item !== 'object') continue;
      const x = item as {
        attributes?: Attrs;
        events?: { attributes: Attrs }[];
        data?: { points: unknown[] };
      };
      if (x.attributes) attributesWithin(x.attributes, limits, 'record');
      if (x.events) {
        ensure(x.events.length <= limits.maxEvents, () => `${x.events?.length} events`);
        for (const e of x.events) attributesWithin(e.attributes, limits, 'event');
      }
      for (const p of x.data?.points ?? []) {
        const attrs = (p as { attributes?: Attrs } | null)?.attributes;
        if (attrs) attributesWithin(attrs, limits, 'point');
      }
    }
  });
}

describe('the OTLP/protobuf decoder', () => {
  it(
    'answers any bytes with records or a coded 4xx error',
    () => {
      const body = fc.oneof(fc.uint8Array({ maxLength: 2048 }), protobufLike);
      const limits = fc.option(smallLimits, { nil: undefined });
      fuzz(fc.tuple(signal, body, fc.boolean(), limits), ([s, bytes, redact, l]) => {
        const r = decodeOrReject(() => ingestOtlp(s, 'protobuf', bytes, ctx(redact, l)));
        if (r.ok) expectStorable(r.value, bytes.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'decodes a valid request as its OTLP/JSON form decodes to what was sent, and survives edited bytes',
    () => {
      fuzz(fc.tuple(valid, byteEdits), ([[s, request], edits]) => {
        const json = Buffer.from(JSON.stringify(request));
        const fromJson = DECODE[s]('json', json);
        const got = fromJson.flatMap((r) => r?.scopes.flat() ?? []);
        const want = sentItems(s, request).map((x) => expectedItem(s, x));
        if (s === 'metrics') {
          const nameAndUnit = (m: unknown) => {
            const { name, unit } = m as { name: unknown; unit: unknown };
            return { name, unit };
          };
          assert.deepStrictEqual(got.map(nameAndUnit), want);
        } else assert.deepStrictEqual(got, want);

        const pb = encodeOtlpRequest(s, request);
        assert.deepStrictEqual(DECODE[s]('protobuf', pb), fromJson);

        const r = ingestOtlp(s, 'protobuf', pb, ctx(false));
        const items = itemCount(s, request);
        const accounted = r.batch.logs.length + r.batch.spans.length + r.rejected;
        if (s === 'metrics') ensure(r.rejected <= items, () => `${r.rejected} of ${items} points rejected`);
        else ensure(accounted === items, () => `${accounted} records accounted for, of ${items}`);

        const edited = applyByteEdits(pb, edits);
        const e = decodeOrReject(() => ingestOtlp(s, 'protobuf', edited, ctx(false, EDITED_LIMITS)));
        if (e.ok) expectStorable(e.value, edited.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'cuts a valid request to the attribute limits alike from JSON and protobuf',
    () => {
      fuzz(fc.tuple(valid, smallLimits), ([[s, request], limits]) => {
        const fromJsonCounts = new LimitCounts();
        const fromPbCounts = new LimitCounts();
        const fromJson = DECODE[s]('json', Buffer.from(JSON.stringify(request)), {
          attributes: { limits, counts: fromJsonCounts },
        });
        const fromPb = DECODE[s]('protobuf', encodeOtlpRequest(s, request), {
          attributes: { limits, counts: fromPbCounts },
        });
        assert.deepStrictEqual(fromPb, fromJson);
        assert.deepStrictEqual({ ...fromPbCounts }, { ...fromJsonCounts });
        expectWithinLimits(fromJson, limits);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
