import type { AttrValue } from '@sleuth/core';
import { attrText } from './record-checks';

/** Log bodies and event messages longer than this many UTF-8 bytes are truncated. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Below this many UTF-16 units a string cannot exceed MAX_BODY_BYTES, so it needs no byte count. */
const SAFE_LENGTH = Math.floor(MAX_BODY_BYTES / 3);

/**
 * A log body AnyValue as text (maps and arrays as compact JSON), cut at MAX_BODY_BYTES UTF-8 bytes on
 * a character boundary with a visible `…[truncated N bytes]` marker. Oversized bodies are truncated,
 * never rejected.
 */
export function bodyText(body: AttrValue | undefined): string {
  const s = attrText(body);
  return s.length <= SAFE_LENGTH ? s : truncateText(s);
}

/** Cuts text to at most MAX_BODY_BYTES UTF-8 bytes, marker included. */
export function truncateText(s: string): string {
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes <= MAX_BODY_BYTES) return s;
  const buf = Buffer.from(s, 'utf8');
  // The marker's own length depends on the count; 40 bytes covers any realistic one.
  let end = MAX_BODY_BYTES - 40;
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${buf.toString('utf8', 0, end)}…[truncated ${bytes - end} bytes]`;
}
