/**
 * Kubernetes resource quantities (`500m`, `1.5`, `768Mi`, `1G`, `2e3`): the syntax the API server
 * accepts for cpu and memory, without a sign (requests and limits are never negative).
 */
export const QUANTITY =
  /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** True when `v` is a quantity the API server accepts (a non-negative number counts too). */
export function isQuantity(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0;
  return typeof v === 'string' && v.length <= 32 && QUANTITY.test(v);
}

/** The quantity's value in base units (bytes, cores), or undefined when it is not a quantity. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || !isQuantity(v)) return undefined;
  const m = /^([0-9.]+)(.*)$/.exec(v);
  if (!m?.[1]) return undefined;
  const base = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix === '') return base;
  if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
  const mult = SUFFIX[suffix];
  return mult === undefined ? undefined : base * mult;
}

/** Two quantities are the same amount (`1Gi` = `1024Mi`, `0.5` = `500m`), with float tolerance. */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return false;
  return Math.abs(x - y) <= Math.max(Math.abs(x), Math.abs(y)) * 1e-9;
}
