import { DecodeError, type AttrValue, type Attributes } from '@sleuth/core';
import { cutBase64, cutUtf8, type AttributeLimits, type LimitCounts } from './attribute-limits';
import { finiteOrText, setAttr, type WireTime } from './otlp-model';

/**
 * Scalar conversions for OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions): int64 and
 * fixed64 may be decimal strings or numbers, doubles may be the strings "NaN" / "Infinity", ids are
 * hex strings, bytes are base64. Field names are lowerCamelCase; snake_case is accepted too.
 */
export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field by its lowerCamelCase name, else its snake_case name. */
export function field(o: JsonObject, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

/** A string field; anything else (absent, wrong type) is `''`. */
export function str(o: JsonObject, camel: string, snake: string): string {
  const v = field(o, camel, snake);
  return typeof v === 'string' ? v : '';
}

/**
 * A list field: the array, `[]` when absent, or `null` when present but not an array (reported by the
 * stages as a malformed container).
 */
export function list(o: JsonObject, camel: string, snake: string): unknown[] | null {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : null;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Unsigned nanoseconds (decimal string or number) to epoch ms, matching core's `nanosToMs` exactly for
 * strings. Absent or zero is `undefined`; anything else that is not an unsigned integer is `NaN`.
 */
export function jsonNanos(v: unknown): WireTime {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return NaN;
    return v === 0 ? undefined : v / 1e6;
  }
  if (typeof v !== 'string' || !isDigits(v)) return NaN;
  if (v.length <= 6) {
    const n = Number(v);
    return n === 0 ? undefined : n / 1e6;
  }
  const ms = Number(v.slice(0, -6));
  const rest = Number(v.slice(-6));
  return ms === 0 && rest === 0 ? undefined : ms + rest / 1e6;
}

/** A double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity"; `undefined` when absent. */
export function jsonDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? NaN : Number(v);
  return v === undefined || v === null ? undefined : NaN;
}

/** An integer (int32 enum, int64, fixed64 count) given as a number or a decimal string; `NaN` if malformed. */
export function jsonInt(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? v : NaN;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
  return v === undefined || v === null ? 0 : NaN;
}

/**
 * An enum given as its integer (OTLP/JSON's rule) or, leniently, as its proto name such as
 * `SPAN_KIND_SERVER`; `names` lists the names in value order. Unknown values are 0 (unspecified).
 */
export function jsonEnum(v: unknown, names: readonly string[]): number {
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  const n = jsonInt(v);
  return Number.isNaN(n) ? 0 : n;
}

/** A trace or span id: the hex string as sent, `''` when absent, `'?'` (never valid) for a non-string. */
export function jsonId(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : '?';
}

function intAttr(v: unknown): AttrValue {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !/^-?\d{1,20}$/.test(v)) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** As deep as protobufjs decodes messages; deeper JSON fails the request the same way. */
const MAX_DEPTH = 100;

/**
 * One attribute value being read under the attribute limits: the limits, the elements its arrays
 * and maps may still hold (all levels together, in the order sent), and whether anything was cut.
 */
export interface ValueCap {
  readonly limits: AttributeLimits;
  elements: number;
  cut: boolean;
}

/** The attribute limits of one request and where to count what they cut. */
export interface Limited {
  limits: AttributeLimits;
  counts: LimitCounts;
}

function capString(s: string, cap: ValueCap | undefined): string {
  if (cap === undefined) return s;
  const out = cutUtf8(s, cap.limits.maxValueBytes);
  if (out !== s) cap.cut = true;
  return out;
}

function capBytes(b64: string, cap: ValueCap | undefined): string {
  if (cap === undefined) return b64;
  const out = cutBase64(b64, cap.limits.maxValueBytes);
  if (out !== b64) cap.cut = true;
  return out;
}

/** The elements of an array value, each at `depth`; under a cap, as many as it allows. */
function jsonList(values: unknown[], depth: number, cap: ValueCap | undefined): AttrValue[] {
  if (cap === undefined) return values.map((e) => jsonAnyValue(e, depth));
  if (depth >= cap.limits.maxDepth) {
    if (values.length > 0) cap.cut = true;
    return [];
  }
  const out: AttrValue[] = [];
  for (const e of values) {
    if (cap.elements <= 0) {
      cap.cut = true;
      break;
    }
    cap.elements--;
    out.push(jsonAnyValue(e, depth, cap));
  }
  return out;
}

/** A map value's KeyValue list, its values at `depth`; under a cap, as many pairs as it allows. */
function jsonMap(v: unknown, depth: number, cap: ValueCap | undefined): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(v)) return out;
  for (let i = 0; i < v.length; i++) {
    const kv: unknown = v[i];
    if (!isObject(kv)) continue;
    const key = kv['key'];
    if (typeof key !== 'string') continue;
    if (cap !== undefined) {
      if (depth >= cap.limits.maxDepth || cap.elements <= 0) {
        cap.cut = true;
        break;
      }
      cap.elements--;
    }
    setAttr(out, key, jsonAnyValue(kv['value'], depth, cap));
  }
  return out;
}

/**
 * An AnyValue object to AttrValue (see pbAnyValue); wrongly typed members become null. `depth` is
 * how deep the value is nested; under a `cap` (an attribute value), strings, byte arrays, nesting
 * and elements are cut to the attribute limits.
 */
export function jsonAnyValue(v: unknown, depth = 0, cap?: ValueCap): AttrValue {
  if (!isObject(v)) return null;
  if (depth > MAX_DEPTH)
    throw new DecodeError(`AnyValue values are nested more than ${MAX_DEPTH} levels deep.`);
  for (const key in v) {
    const x = v[key];
    switch (key) {
      case 'stringValue':
      case 'string_value':
        return typeof x === 'string' ? capString(x, cap) : null;
      case 'intValue':
      case 'int_value':
        return intAttr(x);
      case 'doubleValue':
      case 'double_value': {
        const d = jsonDouble(x);
        return d === undefined ? null : finiteOrText(d);
      }
      case 'boolValue':
      case 'bool_value':
        return typeof x === 'boolean' ? x : null;
      case 'kvlistValue':
      case 'kvlist_value':
        return isObject(x) ? jsonMap(x['values'], depth + 1, cap) : null;
      case 'arrayValue':
      case 'array_value': {
        const values = isObject(x) ? x['values'] : undefined;
        return Array.isArray(values) ? jsonList(values, depth + 1, cap) : [];
      }
      case 'bytesValue':
      case 'bytes_value':
        return typeof x === 'string' ? capBytes(x, cap) : null;
      default:
    }
  }
  return null;
}

/**
 * A KeyValue list (an attribute collection) to an attribute map; entries without a string key are
 * skipped. Under `limited`, pairs past `maxAttributes` are dropped and each value is read under its
 * own cap, and what was cut is counted.
 */
export function jsonAttributes(v: unknown, limited?: Limited): Attributes {
  if (limited === undefined) return jsonMap(v, 0, undefined);
  const out: Attributes = {};
  if (!Array.isArray(v)) return out;
  const { limits, counts } = limited;
  let kept = 0;
  for (let i = 0; i < v.length; i++) {
    const kv: unknown = v[i];
    if (!isObject(kv)) continue;
    const key = kv['key'];
    if (typeof key !== 'string') continue;
    if (kept >= limits.maxAttributes) {
      counts.droppedAttributes++;
      continue;
    }
    kept++;
    const cap: ValueCap = { limits, elements: limits.maxAttributes, cut: false };
    setAttr(out, key, jsonAnyValue(kv['value'], 0, cap));
    if (cap.cut) counts.truncatedValues++;
  }
  return out;
}
