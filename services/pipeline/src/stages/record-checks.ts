import type { AttrValue, Attributes } from '@sleuth/core';

/** Timestamps further ahead of the receiver's clock than this are rejected as clock or unit errors. */
export const MAX_FUTURE_MS = 86_400_000;

/**
 * Checks a trace id (32) or span id (16) given as hex. Returns the lowercase id, `''` for an all-zero
 * id (OTLP's "invalid id", treated as absent), or `undefined` when it is not hex of that length.
 */
export function hexId(id: string, length: number): string | undefined {
  if (id.length !== length) return undefined;
  let upper = false;
  let zero = true;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (c === 48) continue;
    zero = false;
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) upper = true;
    else return undefined;
  }
  if (zero) return '';
  return upper ? id.toLowerCase() : id;
}

/**
 * Why a time (epoch ms, already converted from the named nanosecond field) cannot be stored, or
 * `undefined` when it can.
 */
export function timeProblem(ms: number, fieldName: string, receivedMs: number): string | undefined {
  if (!Number.isFinite(ms) || ms < 0) return `${fieldName} is not a valid unsigned nanosecond timestamp`;
  if (ms > receivedMs + MAX_FUTURE_MS) return `${fieldName} is more than 1 day ahead of the receiver's clock`;
  return undefined;
}

/** A non-empty string attribute, cut to `max` characters; `undefined` otherwise. */
export function textAttr(attrs: Attributes, key: string, max = 253): string | undefined {
  const v = attrs[key];
  if (typeof v !== 'string' || v === '') return undefined;
  return v.length > max ? v.slice(0, max) : v;
}

/** An AttrValue as text: strings as themselves, maps and arrays as compact JSON, null as ''. */
export function attrText(v: AttrValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A plain (non-array) map inside an attribute value. */
export function isMap(v: unknown): v is { [key: string]: AttrValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
