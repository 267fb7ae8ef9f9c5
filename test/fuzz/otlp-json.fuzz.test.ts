/**
 * Fuzzing the OTLP/JSON decoder (otlp-decode.ts, json-reader.ts, json-values.ts and the stages
 * behind ingestOtlp) for logs, metrics and traces: any bytes, and hostile requests (valid ones
 * with fields replaced, removed or emptied, Kubernetes records with mangled bodies, envelopes of
 * the wrong shape), with small attribute limits or none. That valid requests decode to what was sent is checked in
 * otlp-protobuf.fuzz.test.ts, which reads each generated request with both decoders.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ingestOtlp, type AttributeLimits, type OtlpSignal } from '@sleuth/pipeline';
import { wildBytes } from './support/arbitraries';
import { decodeOrReject, fuzz, FUZZ_TEST_TIMEOUT_MS } from './support/fuzz';
import { expectStorable } from './support/otlp-expect';
import { hostileRequest } from './support/otlp-requests';

const SIGNALS: OtlpSignal[] = ['logs', 'metrics', 'traces'];
const signal = fc.constantFrom(...SIGNALS);
const hostile = fc.oneof(...SIGNALS.map((s) => fc.tuple(fc.constant(s), hostileRequest(s))));
/** Small attribute limits, so that hostile requests meet them (or none). */
const limits = fc.option(
  fc.record({
    maxAttributes: fc.integer({ min: 0, max: 3 }),
    maxValueBytes: fc.integer({ min: 1, max: 24 }),
    maxDepth: fc.integer({ min: 1, max: 3 }),
    maxEvents: fc.integer({ min: 0, max: 2 }),
  }),
  { nil: undefined },
);
const ctx = (redact: boolean, l?: AttributeLimits) => ({
  defaultCluster: 'fuzz',
  redact,
  receivedMs: Date.now(),
  ...(l === undefined ? {} : { limits: l }),
});

describe('the OTLP/JSON decoder', () => {
  it(
    'answers any bytes with records or a coded 4xx error',
    () => {
      fuzz(fc.tuple(signal, wildBytes, fc.boolean()), ([s, body, redact]) => {
        const r = decodeOrReject(() => ingestOtlp(s, 'json', body, ctx(redact)));
        if (r.ok) expectStorable(r.value, body.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'reads hostile requests into storable records, rejecting the bad ones',
    () => {
      fuzz(fc.tuple(hostile, fc.boolean(), limits), ([[s, request], redact, l]) => {
        const body = Buffer.from(JSON.stringify(request));
        const r = decodeOrReject(() => ingestOtlp(s, 'json', body, ctx(redact, l)));
        if (r.ok) expectStorable(r.value, body.length);
      });
    },
    FUZZ_TEST_TIMEOUT_MS,
  );
});
