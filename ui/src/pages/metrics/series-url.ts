/**
 * The metrics page's URL contract (`/series`), which evidence links from incidents use:
 *
 * - `name=NAME&l.LABEL=VALUE&l.LABEL2=VALUE2`: one selected series, by name and label set;
 *   further selected series as repeated `s=NAME{LABEL="VALUE",…}` selectors.
 * - `from`, `to`: the window, epoch ms, RFC 3339, `now` or `now-15m` (no `from`: the last hour,
 *   no `to`: now).
 * - The window is marked (the one to look at) with `mark=1`, and also without `mark` when the URL
 *   names a series and gives `from` and `to` as epoch ms: that is how evidence links from incidents
 *   and chat read, so they always open shaded. A marked window is shown with context (half its
 *   length, at least 5 minutes, on either side) and shaded. A drag-to-zoom or a custom range
 *   writes `mark=0` and the zoomed `from`/`to`, and moves the shaded window to
 *   `band=FROM-TO` (epoch ms), so the shading stays while zooming and survives a reload.
 * - `cluster`, `namespace`, `workload`, `find` (metric name prefix and `label=value` words):
 *   the series browser's filters. `raw=1`: counters as stored instead of per-second rates.
 */

export interface SeriesSelector {
  name: string;
  labels: Record<string, string>;
}

export interface SeriesUrlState {
  selected: SeriesSelector[];
  from?: string;
  to?: string;
  mark: boolean;
  band?: { fromMs: number; toMs: number };
  cluster?: string;
  namespace?: string;
  workload?: string;
  find?: string;
  raw: boolean;
}

export const DEFAULT_FROM = 'now-1h';
const LABEL_PREFIX = 'l.';
const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration such as `15m`, `1h30m`, `2d`, in ms. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/** A time as the API reads it: epoch ms, RFC 3339, `now`, `now-15m`, `now+1m`. */
export function parseTime(text: string | undefined, now: number): number | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (t === 'now') return now;
  if (t.startsWith('now-') || t.startsWith('now+')) {
    const d = parseDuration(t.slice(4));
    if (d === undefined) return undefined;
    return t[3] === '-' ? now - d : now + d;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function text(q: URLSearchParams, key: string): string | undefined {
  const v = q.get(key)?.trim();
  return v ? v : undefined;
}

/** `name{a="1",b="2"}`, labels sorted. */
export function selectorText(s: SeriesSelector): string {
  const labels = Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`);
  return labels.length ? `${s.name}{${labels.join(',')}}` : s.name;
}

/** Reads `name{a="1",b="2"}` (values JSON-quoted); undefined when it is not one. */
export function parseSelector(textValue: string): SeriesSelector | undefined {
  const m = /^([^{}\s]+)(?:\{(.*)\})?$/s.exec(textValue.trim());
  if (!m) return undefined;
  const labels: Record<string, string> = {};
  const body = m[2]?.trim() ?? '';
  const re = /\s*([^=,\s]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:,|$)/gy;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const p = re.exec(body);
    if (!p) return undefined;
    labels[p[1]!] = JSON.parse(p[2]!) as string;
    at = re.lastIndex;
  }
  return { name: m[1]!, labels };
}

export const sameSelector = (a: SeriesSelector, b: SeriesSelector): boolean =>
  selectorText(a) === selectorText(b);

export function parseSeriesUrl(q: URLSearchParams): SeriesUrlState {
  const selected: SeriesSelector[] = [];
  const name = text(q, 'name');
  if (name) {
    const labels: Record<string, string> = {};
    for (const [k, v] of q)
      if (k.startsWith(LABEL_PREFIX) && k.length > LABEL_PREFIX.length) labels[k.slice(2)] = v;
    selected.push({ name, labels });
  }
  for (const s of q.getAll('s')) {
    const sel = parseSelector(s);
    if (sel && !selected.some((x) => sameSelector(x, sel))) selected.push(sel);
  }
  const epochMs = (key: string) => /^\d+$/.test(q.get(key) ?? '');
  const mark =
    q.get('mark') === '1' ||
    (q.get('mark') === null && name !== undefined && epochMs('from') && epochMs('to'));
  const state: SeriesUrlState = { selected, mark, raw: q.get('raw') === '1' };
  for (const key of ['from', 'to', 'cluster', 'namespace', 'workload', 'find'] as const) {
    const v = text(q, key);
    if (v) state[key] = v;
  }
  const band = /^(\d+)-(\d+)$/.exec(q.get('band') ?? '');
  if (band && Number(band[2]) > Number(band[1]))
    state.band = { fromMs: Number(band[1]), toMs: Number(band[2]) };
  return state;
}

/** The query string with the selection replaced (`name` + `l.*` for the first, `s` for the rest). */
export function withSelection(q: URLSearchParams, selected: readonly SeriesSelector[]): string {
  const out = new URLSearchParams();
  for (const [k, v] of q) if (k !== 'name' && k !== 's' && !k.startsWith(LABEL_PREFIX)) out.append(k, v);
  const [first, ...rest] = selected;
  if (first) {
    out.set('name', first.name);
    for (const k of Object.keys(first.labels).sort()) out.set(LABEL_PREFIX + k, first.labels[k]!);
  }
  for (const s of rest) out.append('s', selectorText(s));
  return out.toString();
}

export interface ChartWindow {
  fromMs: number;
  toMs: number;
  /** The window to shade, if any. */
  band?: { fromMs: number; toMs: number };
}

/** Where the chart looks: the URL's window (padded around it when marked) and what it shades. */
export function chartWindow(state: SeriesUrlState, now: number): ChartWindow | undefined {
  const to = parseTime(state.to, now) ?? now;
  const from = parseTime(state.from ?? DEFAULT_FROM, now);
  if (from === undefined || to <= from) return undefined;
  if (state.mark) {
    const pad = Math.max(5 * 60_000, (to - from) / 2);
    return { fromMs: Math.floor(from - pad), toMs: Math.ceil(to + pad), band: { fromMs: from, toMs: to } };
  }
  return state.band ? { fromMs: from, toMs: to, band: state.band } : { fromMs: from, toMs: to };
}

/** The browser's search box: a metric name prefix and `label=value` words. */
export function parseFind(find: string | undefined): { name?: string; labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  let name: string | undefined;
  for (const word of (find ?? '').split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq > 0) labels[word.slice(0, eq)] = word.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    else name = word.endsWith('*') ? word : `${word}*`;
  }
  return name ? { name, labels } : { labels };
}

/** Quick windows of the range picker; `from` only, so the window runs to now. */
export const RANGE_PRESETS = [
  { label: '15m', from: 'now-15m', title: 'Last 15 minutes' },
  { label: '1h', from: 'now-1h', title: 'Last hour' },
  { label: '6h', from: 'now-6h', title: 'Last 6 hours' },
  { label: '24h', from: 'now-24h', title: 'Last 24 hours' },
] as const;
