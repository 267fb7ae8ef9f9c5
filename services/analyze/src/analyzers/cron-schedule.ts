/** The fields of a standard five-field schedule, with their ranges and accepted names. */
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
const EVERY = /^@every (\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * Why a CronJob schedule is invalid, as the CronJob controller parses it (five fields, names for
 * months and weekdays, `*`, `?`, ranges, steps and lists, or a descriptor such as `@daily`);
 * undefined when it is valid. Time zones belong in `spec.timeZone`, not a `TZ=` prefix.
 */
export function scheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'a TZ= prefix is not allowed; set spec.timeZone instead';
  if (s.startsWith('@')) return DESCRIPTORS.has(s) || EVERY.test(s) ? undefined : `unknown descriptor ${s}`;
  const parts = s.split(/\s+/);
  if (parts.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i];
    if (!field) continue;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name} "${part}": ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, f: (typeof FIELDS)[number]): string | undefined {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) return `"${item}" has more than one step`;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))
    return `step "${step}" is not a positive number`;
  if (range === '*' || range === '?') return undefined;
  const [lo = '', hi, more] = range.split('-');
  if (more !== undefined) return `"${range}" is not a range`;
  const a = value(lo, f);
  if (a === undefined) return `"${lo}" is not a ${f.name} (${f.min}-${f.max})`;
  if (hi === undefined) return undefined;
  const b = value(hi, f);
  if (b === undefined) return `"${hi}" is not a ${f.name} (${f.min}-${f.max})`;
  return a > b ? `range ${range} runs backwards` : undefined;
}

function value(token: string, f: (typeof FIELDS)[number]): number | undefined {
  const named = f.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + f.min;
  if (!/^\d+$/.test(token)) return undefined;
  const n = Number(token);
  return n >= f.min && n <= f.max ? n : undefined;
}
