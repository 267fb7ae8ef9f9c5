import type { z } from 'zod';
import { StoreError, ValidationError, type AttrValue, type Attributes } from '@sleuth/core';

/** Reads JSON written by this store; the type is checked by the caller's guard or schema. */
export function parseJson(text: string): unknown {
  return JSON.parse(text);
}

/**
 * A record's JSON body, checked against its schema first so that a read never meets a body it
 * cannot decode. A record that does not match throws ValidationError naming the field.
 */
export function encodeBody<T>(schema: z.ZodType<T>, value: T, what: string): string {
  const parsed = schema.safeParse(value);
  if (parsed.success) return JSON.stringify(parsed.data);
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : '';
  throw new ValidationError(`the ${what} cannot be stored: ${where}${first?.message ?? 'invalid'}`, {
    issues,
  });
}

/** A JSON body written by this store back to its record, checked against the record's schema. */
export function decodeBody<T>(schema: z.ZodType<T>, body: string, what: string): T {
  const parsed = schema.safeParse(parseJson(body));
  if (!parsed.success)
    throw new StoreError(`a stored ${what} does not match its schema`, { retryable: false });
  return parsed.data;
}

function isAttrValue(v: unknown): v is AttrValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isAttrValue);
  return isPlainRecord(v) && Object.values(v).every(isAttrValue);
}

/** True for a JSON object (not an array, not null). */
export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Attributes JSON (or NULL for none) back to an object. */
export function decodeAttributes(text: string | null): Attributes {
  if (text === null) return {};
  const v = parseJson(text);
  if (!isPlainRecord(v)) throw corrupt('attributes');
  const out: Attributes = {};
  for (const [k, x] of Object.entries(v)) {
    if (!isAttrValue(x)) throw corrupt('attributes');
    out[k] = x;
  }
  return out;
}

/** Attributes to JSON, or NULL when there are none (most log records). */
export function encodeAttributes(attrs: Attributes): string | null {
  for (const _ in attrs) return JSON.stringify(attrs);
  return null;
}

/** A JSON object column back to an object. */
export function decodeRecord(text: string, what: string): Record<string, unknown> {
  const v = parseJson(text);
  if (!isPlainRecord(v)) throw corrupt(what);
  return v;
}

function corrupt(what: string): StoreError {
  return new StoreError(`stored ${what} are not valid JSON objects; the database may be damaged`, {
    retryable: false,
  });
}
