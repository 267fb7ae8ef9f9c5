import { z } from 'zod';
import { SEVERITIES, severityRank, ValidationError, type ResourceRef, type Severity } from '@sleuth/core';
import { toolError, type ToolResult } from './tool';

/** The longest window any tool reads: 7 days, in minutes. */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;

/** The object a tool is about, as the model names it. */
export const ResourceParam = z.object({
  kind: z
    .string()
    .min(1)
    .max(63)
    .describe(
      'Kind, e.g. Deployment, Pod, Service, ConfigMap, Node (kubectl short names like deploy, po work)',
    ),
  name: z.string().min(1).max(253).describe('Object name, e.g. cart or cart-7d9f8-x2x9z'),
  namespace: z
    .string()
    .min(1)
    .max(253)
    .optional()
    .describe('Namespace; omit for cluster-scoped kinds or to find the name in any namespace'),
  cluster: z.string().min(1).max(253).optional().describe('Cluster; omit for the default cluster'),
});
export type ResourceParam = z.infer<typeof ResourceParam>;

/** Window parameters shared by every tool that reads a time range. */
export const windowParams = {
  sinceMinutes: z
    .number()
    .int()
    .min(1)
    .max(MAX_WINDOW_MINUTES)
    .default(60)
    .describe(
      'Look back this many minutes from now (default 60, max 10080 = 7 days); ignored if from is set',
    ),
  from: z.string().max(40).optional().describe('Window start, ISO 8601 (e.g. 2026-03-02T11:00:00Z)'),
  to: z.string().max(40).optional().describe('Window end, ISO 8601; default now'),
};

/** Where a listing looks: one object (with what it owns), or a namespace and/or cluster. */
export const scopeParams = {
  resource: ResourceParam.optional().describe('Only this object (a workload includes its pods)'),
  namespace: z
    .string()
    .min(1)
    .max(253)
    .optional()
    .describe('Only this namespace (when no resource is given)'),
  cluster: z.string().min(1).max(253).optional().describe('Only this cluster; omit for the default'),
};

/** A `limit` parameter with its default and maximum in the description. */
export function limitParam(dflt: number, max: number, what: string) {
  return z
    .number()
    .int()
    .min(1)
    .max(max)
    .default(dflt)
    .describe(`Most ${what} returned (default ${dflt}, max ${max})`);
}

export interface Window {
  fromMs: number;
  toMs: number;
}

/** The window the params ask for, relative to `nowMs`; throws ValidationError for a bad one. */
export function resolveWindow(
  p: { sinceMinutes: number; from?: string | undefined; to?: string | undefined },
  nowMs: number,
): Window {
  const at = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new ValidationError(`${name}: "${text}" is not an ISO 8601 time`);
    return ms;
  };
  const toMs = at(p.to, 'to') ?? nowMs;
  const fromMs = at(p.from, 'from') ?? toMs - p.sinceMinutes * 60_000;
  if (fromMs >= toMs) throw new ValidationError(`from (${iso(fromMs)}) must be before to (${iso(toMs)})`);
  if (toMs - fromMs > MAX_WINDOW_MINUTES * 60_000)
    throw new ValidationError('the window is longer than 7 days: narrow from/to');
  return { fromMs, toMs };
}

/**
 * Runs a tool body; a ValidationError (bad input, an unknown object, bad query text) becomes an
 * `error` result echoing `echo()`, the query as far as the tool had normalised it.
 */
export async function guard(echo: () => unknown, body: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ValidationError) return toolError(echo(), err.message);
    throw err;
  }
}

/** An ISO 8601 UTC time, without milliseconds when they are zero. */
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A number with at most 4 significant digits: enough for a model, short in JSON. */
export const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);

/** `Kind namespace/name` (or `Kind name`), how a person names an object in one line. */
export const refText = (r: { kind: string; name: string; namespace?: string | undefined }): string =>
  `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/** A reference as tools show it: no uid. */
export function shownRef(r: ResourceRef): ResourceRef {
  return {
    cluster: r.cluster,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    kind: r.kind,
    name: r.name,
  };
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a path of plain object keys, or undefined. */
export function field(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const p of path) v = isRecord(v) ? v[p] : undefined;
  return v;
}

/** The severities at or above `min` (undefined for no minimum, or one every line meets). */
export function severitiesFrom(min: Severity | undefined): Severity[] | undefined {
  if (min === undefined || severityRank(min) === 0) return undefined;
  return SEVERITIES.filter((s) => severityRank(s) >= severityRank(min));
}

/** A note for an empty answer: what was searched, and how to widen it. */
export function widenNote(what: string, w: Window, hints: string[]): string {
  return `${what} between ${iso(w.fromMs)} and ${iso(w.toMs)}. To widen: ${hints.join('; ')}.`;
}
