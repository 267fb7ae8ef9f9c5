import { severityFromNumber, type Severity } from '@sleuth/core';

const WORDS: Record<string, Severity> = {
  trace: 'trace',
  t: 'trace',
  debug: 'debug',
  dbg: 'debug',
  d: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  normal: 'info',
  i: 'info',
  warn: 'warn',
  warning: 'warn',
  w: 'warn',
  err: 'error',
  error: 'error',
  e: 'error',
  crit: 'fatal',
  critical: 'fatal',
  fatal: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
  f: 'fatal',
};

/** Distinct severity texts are few; remember how each was read. Cleared when it grows past this. */
const CACHE_LIMIT = 512;
const cache = new Map<string, Severity | undefined>();

function parse(text: string): Severity | undefined {
  // OTLP short names carry a level suffix (INFO2, ERROR3); syslog and klog use other spellings.
  const word = text
    .trim()
    .toLowerCase()
    .replace(/[0-9]+$/, '');
  return Object.hasOwn(WORDS, word) ? WORDS[word] : undefined;
}

/** Reads a severity text such as INFO, Warning, ERR, error3, CRITICAL; `undefined` when unknown. */
export function severityFromText(text: string): Severity | undefined {
  if (text === '') return undefined;
  if (cache.has(text)) return cache.get(text);
  const s = parse(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, s);
  return s;
}

/** A record's severity: its SeverityNumber when in 1..24, else its severity text, else info. */
export function logSeverity(severityNumber: number, severityText: string): Severity {
  if (severityNumber >= 1 && severityNumber <= 24) return severityFromNumber(severityNumber);
  return severityFromText(severityText) ?? 'info';
}
