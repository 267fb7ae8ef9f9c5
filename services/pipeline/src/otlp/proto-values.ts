import type { AttrValue, Attributes } from '@sleuth/core';
import { finiteOrText, setAttr, type WireTime } from './otlp-model';

/** A 64-bit integer as protobufjs decodes it (a long.js Long): two 32-bit halves. */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

/** AnyValue as decoded from our schema. Set members are own properties; unset ones come from the prototype. */
export interface PbAnyValue {
  stringValue: string;
  boolValue: boolean;
  intValue: LongBits;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}

export interface PbKeyValue {
  key: string;
  value: PbAnyValue | null;
}

const hasOwn = Object.hasOwn;
const TWO_32 = 4294967296;

/** A 64-bit integer as a JS number (exact below 2^53, which counts and attribute integers are in practice). */
export function longToNumber(v: LongBits): number {
  return v.unsigned ? (v.high >>> 0) * TWO_32 + (v.low >>> 0) : v.high * TWO_32 + (v.low >>> 0);
}

/**
 * Unsigned nanoseconds since the epoch to epoch milliseconds, bit-for-bit equal to core's `nanosToMs`
 * but without allocating a bigint: 2^32 ns is 4294 ms plus 967296 ns, so every intermediate stays
 * below 2^53. Zero (OTLP's "unknown") is `undefined`.
 */
export function longNanosToMs(v: LongBits): WireTime {
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  if (hi === 0 && lo === 0) return undefined;
  const rest = hi * 967296 + lo;
  const sub = rest % 1e6;
  return hi * 4294 + (rest - sub) / 1e6 + sub / 1e6;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Lowercase hex of a byte string (trace and span ids); `''` for none. */
export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] ?? 0];
  return s;
}

/** Largest and smallest integers a JS number holds exactly; beyond them an int64 is kept as text. */
const SAFE = Number.MAX_SAFE_INTEGER;

function intValue(v: LongBits): AttrValue {
  const n = longToNumber(v);
  if (n <= SAFE && n >= -SAFE) return n;
  const big = (BigInt(v.high) << 32n) | BigInt(v.low >>> 0);
  return (v.unsigned ? big : BigInt.asIntN(64, big)).toString();
}

/**
 * AnyValue to Sleuth's JSON-compatible AttrValue: scalars as themselves, int64 as a number (as text
 * beyond 2^53), bytes as base64, arrays and key-value lists recursively, an empty AnyValue as null.
 */
export function pbAnyValue(v: PbAnyValue | null | undefined): AttrValue {
  if (v == null) return null;
  const s = v.stringValue;
  if (s !== '' || hasOwn(v, 'stringValue')) return s;
  if (hasOwn(v, 'intValue')) return intValue(v.intValue);
  if (hasOwn(v, 'doubleValue')) return finiteOrText(v.doubleValue);
  if (hasOwn(v, 'boolValue')) return v.boolValue;
  const kv = v.kvlistValue;
  if (kv !== null) return pbAttributes(kv.values);
  const arr = v.arrayValue;
  if (arr !== null) {
    const out: AttrValue[] = new Array<AttrValue>(arr.values.length);
    for (let i = 0; i < arr.values.length; i++) out[i] = pbAnyValue(arr.values[i]);
    return out;
  }
  if (hasOwn(v, 'bytesValue')) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}

/** Repeated KeyValue to an attribute map; a repeated key keeps its last value, as OTLP's model implies. */
export function pbAttributes(kvs: PbKeyValue[]): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    if (kv !== undefined) setAttr(out, kv.key, pbAnyValue(kv.value));
  }
  return out;
}
