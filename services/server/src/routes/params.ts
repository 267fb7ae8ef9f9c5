import { z } from 'zod';
import { SEVERITIES, parseDuration, parseTime, type Severity } from '@sleuth/core';

/** A time in a query string: epoch ms, RFC 3339, `now`, `now-15m` or `now+1m`. */
export const TimeParam = z.string().transform((text, ctx) => {
  const ms = parseTime(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a time: use epoch ms, RFC 3339 or now-15m` });
    return z.NEVER;
  }
  return ms;
});

/** A duration in a query string: milliseconds, or `30s`, `5m`, `1h`. */
export const DurationParam = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use ms or 30s, 5m, 1h` });
    return z.NEVER;
  }
  return Math.round(ms);
});

/** `a,b,c` or a repeated parameter, as a list. */
const CommaList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== ''));

export const SeverityList = CommaList.pipe(z.array(z.enum(SEVERITIES)).min(1)).transform(
  (v): Severity[] => v,
);
export const IdList = CommaList.pipe(z.array(z.string().min(1).max(64)).min(1).max(1000));

/** `label=key=value`, repeatable: label equality matchers. */
export const LabelMatchers = z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
  const out: Record<string, string> = {};
  for (const pair of Array.isArray(v) ? v : [v]) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: `label "${pair}" must be key=value` });
      return z.NEVER;
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
});

export const Limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

export const SourceParams = {
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  workload: z.string().min(1).optional(),
  pod: z.string().min(1).optional(),
};

export const WindowParams = {
  from: TimeParam.optional(),
  to: TimeParam.optional(),
};
