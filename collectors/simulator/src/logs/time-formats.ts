const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function parts(ms: number): {
  y: number;
  mo: number;
  d: number;
  h: string;
  mi: string;
  s: string;
  ms: string;
} {
  const t = new Date(Math.floor(ms));
  return {
    y: t.getUTCFullYear(),
    mo: t.getUTCMonth(),
    d: t.getUTCDate(),
    h: pad(t.getUTCHours()),
    mi: pad(t.getUTCMinutes()),
    s: pad(t.getUTCSeconds()),
    ms: pad(t.getUTCMilliseconds(), 3),
  };
}

/** nginx `$time_local` in UTC: `01/May/2024:12:00:00 +0000`. */
export function nginxAccessTime(ms: number): string {
  const p = parts(ms);
  return `${pad(p.d)}/${MONTHS[p.mo]}/${p.y}:${p.h}:${p.mi}:${p.s} +0000`;
}

/** nginx error log and Go `log` time: `2024/05/01 12:00:00`. */
export function slashTime(ms: number): string {
  const p = parts(ms);
  return `${p.y}/${pad(p.mo + 1)}/${pad(p.d)} ${p.h}:${p.mi}:${p.s}`;
}

/** Python logging's default asctime: `2024-05-01 12:00:00,123`. */
export function pythonTime(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} ${p.h}:${p.mi}:${p.s},${p.ms}`;
}

/** PostgreSQL `%m`: `2024-05-01 12:00:00.123 UTC`. */
export function postgresTime(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} ${p.h}:${p.mi}:${p.s}.${p.ms} UTC`;
}

/** Redis log time: `01 May 2024 12:00:00.123`. */
export function redisTime(ms: number): string {
  const p = parts(ms);
  return `${pad(p.d)} ${MONTHS[p.mo]} ${p.y} ${p.h}:${p.mi}:${p.s}.${p.ms}`;
}
