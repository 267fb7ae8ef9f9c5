import { describe, expect, it } from 'vitest';
import { encodeOtlpRequest } from './otlp-encode';
import { decodeMetrics } from './otlp-decode';

describe('readJsonMetrics', () => {
  // Found by test/fuzz/otlp-protobuf.fuzz.test.ts: protojson encoders (the Collector's among them)
  // leave zero values out, and the JSON reader took a missing quantile value for NaN, so the
  // quantile was dropped, where protobuf reads the same request as 0.
  it('reads a summary quantile without a value as 0, as protobuf does', () => {
    const request = {
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ summary: { dataPoints: [{ quantileValues: [{}] }] } }] }] },
      ],
    };
    const fromJson = decodeMetrics('json', Buffer.from(JSON.stringify(request)));
    expect(fromJson[0]?.scopes[0]?.[0]?.data).toMatchObject({
      type: 'summary',
      points: [{ quantiles: [{ quantile: 0, value: 0 }] }],
    });
    expect(decodeMetrics('protobuf', encodeOtlpRequest('metrics', request))).toEqual(fromJson);
  });
});
