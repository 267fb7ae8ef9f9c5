/**
 * Fuzzing the OTLP/protobuf decoder (otlp-decode.ts, proto-reader.ts, proto-values.ts with the
 * schema of otlp-proto.ts, and the stages behind ingestOtlp) for logs, metrics and traces: any
 * bytes, protobuf-like field soup, and valid requests. A valid request must decode, as OTLP/JSON,
 * to what was sent and, encoded, to exactly the same with the protobuf decoder; with bytes of the
 * encoding flipped, inserted, cut or turned into runaway varints it must still decode or fail
 * with a coded 4xx error. One generated request serves both decoders.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { encodeOtlpRequest, ingestOtlp, type OtlpSignal } from '@sleuth/pipeline';
import { decodeLogs, decodeMetrics, decodeTraces } from '../../services/pipeline/src/otlp/otlp-decode';
import { applyByteEdits, byteEdits } from './support/arbitraries';
import { decodeOrReject, ensure, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';
import { expectedItem, expectStorable, sentItems } from './support/otlp-expect';
import { itemCount, validRequest } from './support/otlp-requests';
import { protobufLike } from './support/protobuf-bytes';

const SIGNALS: OtlpSignal[] = ['logs', 'metrics', 'traces'];
const signal = fc.constantFrom(...SIGNALS);
const valid = fc.oneof(...SIGNALS.map((s) => fc.tuple(fc.constant(s), validRequest(s))));
const ctx = (redact: boolean) => ({ defaultCluster: 'fuzz', redact, receivedMs: Date.now() });
const DECODE = { logs: decodeLogs, metrics: decodeMetrics, traces: decodeTraces };

describe('the OTLP/protobuf decoder', () => {
  it(
    'answers any bytes with records or a coded 4xx error',
    () => {
      const body = fc.oneof(fc.uint8Array({ maxLength: 2048 }), protobufLike);
      fuzz(fc.tuple(signal, body, fc.boolean()), ([s, bytes, redact]) => {
        const r = decodeOrReject(() => ingestOtlp(s, 'protobuf', bytes, ctx(redact)));
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
        const e = decodeOrReject(() => ingestOtlp(s, 'protobuf', edited, ctx(false)));
        if (e.ok) expectStorable(e.value, edited.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
