/**
 * The logs page's URL contract and the pure logic behind it. The URL holds the filters
 * (`cluster`, `namespace`, `workload`, `pod`, `severity` = lowest severity shown, `q`, `from`,
 * `to`), the mode (`ids=ID1,ID2`: exactly those lines, cited as evidence), the cited lines kept
 * highlighted in a search around them (`cited=`), `view=templates` and `live=1`.
 */
import { LOG_SEVERITIES, type LogFilters } from '../../lib/api/logs';
import type { LogRecord, Severity } from '../../lib/api/types';

export const MAX_IDS = 1000;
/** How far around cited lines "Show surrounding lines" searches. */
export const SURROUNDING_MS = 2 * 60_000;

function text(q: URLSearchParams, key: string): string | undefined {
  const v = q.get(key)?.trim();
  return v ? v : undefined;
}

export function filtersFromQuery(q: URLSearchParams): LogFilters {
  const sev = q.get('severity');
  return {
    q: text(q, 'q'),
    cluster: text(q, 'cluster'),
    namespace: text(q, 'namespace'),
    workload: text(q, 'workload'),
    pod: text(q, 'pod'),
    minSeverity: LOG_SEVERITIES.find((s) => s === sev),
    from: text(q, 'from'),
    to: text(q, 'to'),
  };
}

/** A comma-separated id list (`ids=`, `cited=`), without blanks and repeats, at most MAX_IDS. */
export function idList(value: string | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(',').map((s) => s.trim()))].filter((s) => s !== '').slice(0, MAX_IDS);
}

/**
 * The words a search looks for, to mark in the lines: words and "quoted phrases" of `q`, without
 * excluded (`-word`) terms, the AND/OR/NOT operators, or a prefix's trailing `*`.
 */
export function highlightTerms(q: string | undefined): string[] {
  if (!q) return [];
  const terms: string[] = [];
  for (const m of q.matchAll(/(-?)"([^"]+)"|(\S+)/g)) {
    if (m[1] === '-') continue;
    const phrase = m[2];
    if (phrase) {
      terms.push(phrase);
      continue;
    }
    const word = (m[3] ?? '').replace(/\*$/, '');
    if (!word || word.startsWith('-') || ['AND', 'OR', 'NOT'].includes(word)) continue;
    terms.push(word);
  }
  // Longest first, so a longer term wins where two overlap.
  return [...new Set(terms)].sort((a, b) => b.length - a.length);
}

export interface Segment {
  text: string;
  hit: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `body` cut into plain and matching parts (case-insensitive), to render the matches marked. */
export function splitHighlight(body: string, terms: readonly string[]): Segment[] {
  if (terms.length === 0 || body === '') return [{ text: body, hit: false }];
  const re = new RegExp(terms.map(escapeRegExp).join('|'), 'gi');
  const out: Segment[] = [];
  let at = 0;
  for (const m of body.matchAll(re)) {
    if (m[0] === '') continue;
    if (m.index > at) out.push({ text: body.slice(at, m.index), hit: false });
    out.push({ text: m[0], hit: true });
    at = m.index + m[0].length;
  }
  if (at < body.length) out.push({ text: body.slice(at), hit: false });
  return out;
}

/**
 * Lines already shown plus lines just read, without repeats (by id), newest first, at most `cap`
 * (the oldest are dropped). Lines that arrive late for their time land at their time's place.
 */
export function mergeNewest(
  shown: readonly LogRecord[],
  incoming: readonly LogRecord[],
  cap: number,
): LogRecord[] {
  const byId = new Map<string, LogRecord>();
  for (const r of [...incoming, ...shown]) {
    const key = r.id ?? `${r.timeMs}|${r.body}`;
    if (!byId.has(key)) byId.set(key, r);
  }
  return [...byId.values()].sort((a, b) => b.timeMs - a.timeMs).slice(0, cap);
}

/** The one value every record has for a field, if they all agree. */
function common(
  records: readonly LogRecord[],
  pick: (r: LogRecord) => string | undefined,
): string | undefined {
  const values = new Set(records.map(pick));
  return values.size === 1 ? [...values][0] : undefined;
}

/**
 * The search around cited lines: their pod (else their workload, else namespace or cluster when
 * they share it) from 2 minutes before the first to 2 minutes after the last, the cited lines
 * kept highlighted.
 */
export function surroundingQuery(records: readonly LogRecord[]): Record<string, string | undefined> {
  if (records.length === 0) return {};
  const times = records.map((r) => r.timeMs);
  const pod = common(records, (r) => r.source.pod);
  return {
    cluster: common(records, (r) => r.source.cluster),
    namespace: common(records, (r) => r.source.namespace),
    ...(pod ? { pod } : { workload: common(records, (r) => r.source.workload) }),
    from: String(Math.floor(Math.min(...times) - SURROUNDING_MS)),
    to: String(Math.ceil(Math.max(...times) + SURROUNDING_MS)),
    cited: records.flatMap((r) => (r.id ? [r.id] : [])).join(','),
  };
}

/** `pod / container`, or the most specific part of the source there is. */
export function whereFrom(r: LogRecord): string {
  const s = r.source;
  const pod = s.pod ?? s.workload ?? s.service ?? s.node ?? s.cluster;
  return s.container && s.container !== pod ? `${pod} / ${s.container}` : pod;
}

/** Severity ranks for styling: warn and above stand out. */
export function severityTone(s: Severity): 'high' | 'warn' | 'plain' {
  return s === 'error' || s === 'fatal' ? 'high' : s === 'warn' ? 'warn' : 'plain';
}

/** The quick windows of the time filter; `from` only, so the window runs to now. */
export const TIME_PRESETS = [
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last hour', from: 'now-1h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 24 hours', from: 'now-24h' },
] as const;
