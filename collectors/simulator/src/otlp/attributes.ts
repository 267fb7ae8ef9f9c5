import type { OtlpAnyValue, OtlpKeyValue } from './types';

/** A JSON-like value the simulator turns into an OTLP AnyValue. `undefined` entries are dropped. */
export type AttrInput =
  string | number | boolean | null | undefined | readonly AttrInput[] | { readonly [key: string]: AttrInput };

/**
 * Converts a plain value into an OTLP AnyValue: integers become `intValue` (decimal string),
 * other numbers `doubleValue`, objects `kvlistValue` (keys in insertion order), arrays
 * `arrayValue`, null `{}`.
 */
export function anyValue(value: AttrInput): OtlpAnyValue {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (isList(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}

/** A float that must stay a `doubleValue` even when it happens to be whole. */
export function doubleValue(value: number): OtlpAnyValue {
  return { doubleValue: value };
}

/** Converts a record into an OTLP KeyValue list, dropping undefined values. */
export function keyValues(record: { readonly [key: string]: AttrInput }): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) out.push({ key, value: anyValue(value) });
  }
  return out;
}

function isList(value: AttrInput): value is readonly AttrInput[] {
  return Array.isArray(value);
}
