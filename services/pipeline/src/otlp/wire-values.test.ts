import { describe, expect, it } from 'vitest';
import { nanosToMs } from '@sleuth/core';
import { jsonAnyValue, jsonDouble, jsonNanos } from './json-values';
import { encodeOtlpRequest, ingestOtlp } from '../index';
import { logsRequest } from './otlp-json-builders';
import { bytesToHex, longNanosToMs, type LongBits } from './proto-values';

function longBits(n: bigint): LongBits {
  return { low: Number(BigInt.asIntN(32, n)), high: Number(BigInt.asIntN(32, n >> 32n)), unsigned: true };
}

describe('nanosecond timestamps', () => {
  const samples = [
    1n,
    999_999n,
    1_000_000n,
    1_748_779_200_123_456_789n,
    1_795_388_580_710_000_001n,
    18_446_744_073_709_551_615n,
  ];

  it.each(samples)('decode %s exactly as core nanosToMs does, from protobuf and JSON', (n) => {
    expect(longNanosToMs(longBits(n))).toBe(nanosToMs(n));
    expect(jsonNanos(n.toString())).toBe(nanosToMs(n));
  });

  it('reads absent and zero as missing and malformed values as NaN', () => {
    expect(longNanosToMs(longBits(0n))).toBeUndefined();
    expect(jsonNanos('0')).toBeUndefined();
    expect(jsonNanos(undefined)).toBeUndefined();
    expect(jsonNanos('12a')).toBeNaN();
    expect(jsonNanos(-1)).toBeNaN();
    expect(jsonNanos(1.5)).toBeNaN();
    expect(jsonNanos(1_700_000_000_000_000_000)).toBe(1_700_000_000_000);
  });
});

describe('AnyValue', () => {
  it('decodes JSON scalars, int64 strings and special doubles', () => {
    expect(jsonAnyValue({ intValue: '9007199254740993' })).toBe('9007199254740993');
    expect(jsonAnyValue({ int_value: '-42' })).toBe(-42);
    expect(jsonAnyValue({ doubleValue: 'Infinity' })).toBe('Infinity');
    expect(
      jsonAnyValue({ kvlistValue: { values: [{ key: '__proto__', value: { boolValue: true } }] } }),
    ).toEqual(JSON.parse('{"__proto__":true}'));
    expect(jsonAnyValue({})).toBeNull();
    expect(jsonDouble('NaN')).toBeNaN();
  });

  it('decodes protobuf int64 beyond 2^53 as text and bytes as base64', () => {
    const req = logsRequest([
      {
        resource: {},
        records: [
          {
            attributes: [
              { key: 'big', value: { intValue: '9007199254740993' } },
              { key: 'raw', value: { bytesValue: 'AP8=' } },
            ],
          },
        ],
      },
    ]);
    const { batch } = ingestOtlp('logs', 'protobuf', encodeOtlpRequest('logs', req), {
      defaultCluster: 'c',
      redact: false,
      receivedMs: 1,
    });
    expect(batch.logs[0]?.attributes).toEqual({ big: '9007199254740993', raw: 'AP8=' });
    expect(bytesToHex(Uint8Array.from([0, 15, 255]))).toBe('000fff');
  });
});
