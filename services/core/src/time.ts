/**
 * One time unit everywhere: milliseconds since the Unix epoch, as a JS number. Values may carry a
 * fraction (microseconds) where the source had that precision, e.g. span start and end times.
 */
export type EpochMs = number;

const NS_PER_MS = 1_000_000n;

/** Converts OTLP's fixed64 nanoseconds (string, bigint or number) to epoch milliseconds. */
export function nanosToMs(nanos: string | bigint | number): EpochMs {
  if (typeof nanos === 'number') return nanos / 1e6;
  const big = typeof nanos === 'bigint' ? nanos : BigInt(nanos);
  const ms = big / NS_PER_MS;
  const rest = big % NS_PER_MS;
  return Number(ms) + Number(rest) / 1e6;
}

/** Converts epoch milliseconds to OTLP's nanoseconds as a decimal string. */
export function msToNanos(ms: EpochMs): string {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * NS_PER_MS + BigInt(frac)).toString();
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses a duration such as `500ms`, `30s`, `15m`, `6h`, `7d` into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const unit = UNIT_MS[m[2] ?? ''];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/**
 * Parses a time given as epoch milliseconds, an RFC 3339 timestamp, `now`, or `now-<duration>` /
 * `now+<duration>` (e.g. `now-15m`, `now+1m`). Returns undefined when the text is none of these.
 */
export function parseTime(text: string, now: EpochMs = Date.now()): EpochMs | undefined {
  const t = text.trim();
  if (t === 'now') return now;
  if (t.startsWith('now-') || t.startsWith('now+')) {
    const d = parseDuration(t.slice(4));
    if (d === undefined) return undefined;
    return t[3] === '-' ? now - d : now + d;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const parsed = Date.parse(t);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Resolves after `ms`; rejects at once when `signal` aborts (with its reason), so a wait in a
 * retry loop never outlives the component that started it.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): Error => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
