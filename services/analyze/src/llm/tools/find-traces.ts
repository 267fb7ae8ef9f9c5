import { z } from 'zod';
import { ValidationError, type Span } from '@sleuth/core';
import type { SpanQuery } from '@sleuth/store';
import {
  clip,
  guard,
  iso,
  limitParam,
  resolveWindow,
  round,
  scopeParams,
  widenNote,
  windowParams,
} from './common';
import { assertKnown, resolveScope, scopeEcho, sourceScope } from './resource-scope';
import { defineTool, noData, ok, type ToolContext, type ToolResult } from './tool';

/** Spans read to find traces; spans of one trace shown at most. */
const SPAN_SCAN = 500;
const MAX_TREE = 50;

const params = z.object({
  traceId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Show this trace as a span tree (32 hex characters) instead of searching'),
  ...scopeParams,
  service: z.string().min(1).max(253).optional().describe('Only spans of this service.name, e.g. checkout'),
  operation: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe('Only spans with this exact name, e.g. "GET /cart"'),
  minDurationMs: z.number().nonnegative().optional().describe('Only spans at least this slow, in ms'),
  errorsOnly: z.boolean().default(false).describe('Only spans with status error'),
  ...windowParams,
  limit: limitParam(10, 20, 'traces'),
});

const spanText = (s: Span): string =>
  `${s.service} ${s.name} ${round(s.durationMs)} ms ${s.status}${s.statusMessage ? ` (${clip(s.statusMessage, 100)})` : ''}`;

export const findTraces = defineTool({
  name: 'find_traces',
  description:
    'Find traces (newest first) whose spans match a service or object, operation, minimum duration or error ' +
    'status; each with its root, duration and the erroring or slowest span. With traceId, show that trace as a span tree.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        if (p.traceId !== undefined) return traceTree(ctx, p.traceId);
        const w = resolveWindow(p, ctx.nowMs);
        const scope = await resolveScope(ctx, p);
        query = {
          ...scopeEcho(scope),
          ...(p.service ? { service: p.service } : {}),
          ...(p.operation ? { operation: p.operation } : {}),
          ...(p.minDurationMs !== undefined ? { minDurationMs: p.minDurationMs } : {}),
          errorsOnly: p.errorsOnly,
          from: iso(w.fromMs),
          to: iso(w.toMs),
          limit: p.limit,
        };
        const { node, service: scopeService, ...source } = sourceScope(scope);
        if (node !== undefined)
          throw new ValidationError('spans cannot be filtered by Node: ask about a workload or pod');
        const filter: SpanQuery = {
          ...source,
          ...((p.service ?? scopeService) ? { service: p.service ?? scopeService } : {}),
          ...(p.operation ? { name: p.operation } : {}),
          ...(p.errorsOnly ? { status: 'error' } : {}),
          ...(p.minDurationMs !== undefined ? { minDurationMs: p.minDurationMs } : {}),
          fromMs: w.fromMs,
          toMs: w.toMs,
          limit: SPAN_SCAN,
        };
        let spans = await ctx.store.searchSpans(filter);
        // Spans may not name their workload: a workload's service.name is usually its name.
        if (spans.length === 0 && source.workload !== undefined && filter.service === undefined) {
          const { workload, ...rest } = filter;
          spans = await ctx.store.searchSpans({ ...rest, service: workload });
        }
        if (spans.length === 0) {
          await assertKnown(ctx, scope);
          return noData(
            query,
            widenNote('No spans matched', w, [
              'raise sinceMinutes',
              ...(p.errorsOnly || p.minDurationMs !== undefined ? ['drop errorsOnly and minDurationMs'] : []),
              ...(p.operation ? ['drop operation'] : []),
            ]),
          );
        }
        const matched = new Map<string, Span[]>();
        for (const s of spans) matched.set(s.traceId, [...(matched.get(s.traceId) ?? []), s]);
        const ids = [...matched.keys()];
        const traces = [];
        for (const traceId of ids.slice(0, p.limit)) {
          const all = await ctx.store.getTrace(traceId);
          traces.push(
            summarise(
              ctx,
              traceId,
              all.length > 0 ? all : (matched.get(traceId) ?? []),
              matched.get(traceId) ?? [],
            ),
          );
        }
        const more = ids.length > p.limit || spans.length >= SPAN_SCAN;
        return ok(
          { traces, more },
          query,
          more ? 'more traces matched: narrow the window or the filters' : undefined,
        );
      },
    );
  },
});

/** One trace in a line or two: root, duration, error, and the span that explains it. */
function summarise(ctx: ToolContext, traceId: string, all: Span[], matched: Span[]) {
  const ids = new Set(all.map((s) => s.spanId));
  const root = all.find((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)) ?? all[0];
  const start = Math.min(...all.map((s) => s.startMs));
  const end = Math.max(...all.map((s) => s.endMs));
  const errors = all.filter((s) => s.status === 'error');
  // The innermost erroring span (no erroring child) is where the error started; else the slowest match.
  const origin = errors.find((s) => !errors.some((c) => c.parentSpanId === s.spanId));
  const flagged = origin ?? [...matched].sort((a, b) => b.durationMs - a.durationMs)[0] ?? root;
  const evidenceId = flagged
    ? ctx.evidence.add(
        { kind: 'trace', traceId, spanId: flagged.spanId },
        `trace ${traceId}${root ? ` (${root.service} ${root.name}, ${round(end - start)} ms)` : ''}: ${spanText(flagged)}`,
      )
    : undefined;
  return {
    traceId,
    start: iso(start),
    durationMs: round(end - start),
    error: errors.length > 0,
    ...(root ? { root: { service: root.service, name: clip(root.name, 120) } } : {}),
    spans: all.length,
    services: [...new Set(all.map((s) => s.service))],
    ...(evidenceId ? { evidenceId } : {}),
    ...(flagged
      ? {
          flagged: {
            spanId: flagged.spanId,
            service: flagged.service,
            name: clip(flagged.name, 120),
            durationMs: round(flagged.durationMs),
            status: flagged.status,
            ...(flagged.statusMessage ? { statusMessage: clip(flagged.statusMessage, 200) } : {}),
          },
        }
      : {}),
  };
}

/** A trace as a span tree, depth first, up to MAX_TREE spans. */
async function traceTree(ctx: ToolContext, rawId: string): Promise<ToolResult> {
  const traceId = rawId.toLowerCase();
  const query = { traceId };
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new ValidationError('traceId: expected 32 hex characters');
  const spans = await ctx.store.getTrace(traceId);
  if (spans.length === 0)
    return noData(query, `no spans of trace ${traceId} are stored (it may have aged out)`);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentSpanId === undefined || !ids.has(s.parentSpanId)) roots.push(s);
    else children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
  }
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const root = roots[0];
  const tree = [];
  const stack = [...roots].reverse().map((s) => ({ s, depth: 0 }));
  while (stack.length > 0 && tree.length < MAX_TREE) {
    const next = stack.pop();
    if (!next) break;
    const { s, depth } = next;
    tree.push({
      spanId: s.spanId,
      depth,
      service: s.service,
      name: clip(s.name, 120),
      kind: s.kind,
      offsetMs: round(s.startMs - start),
      durationMs: round(s.durationMs),
      status: s.status,
      ...(s.statusMessage ? { statusMessage: clip(s.statusMessage, 200) } : {}),
      ...(s.status === 'error'
        ? {
            evidenceId: ctx.evidence.add(
              { kind: 'trace', traceId, spanId: s.spanId },
              `trace ${traceId}: ${spanText(s)}`,
            ),
          }
        : {}),
    });
    for (const c of [...(children.get(s.spanId) ?? [])].reverse()) stack.push({ s: c, depth: depth + 1 });
  }
  const evidenceId = ctx.evidence.add(
    { kind: 'trace', traceId },
    `trace ${traceId}${root ? `: ${root.service} ${root.name}` : ''}, ${round(end - start)} ms, ${spans.length} spans`,
  );
  return ok(
    {
      traceId,
      evidenceId,
      start: iso(start),
      durationMs: round(end - start),
      services: [...new Set(spans.map((s) => s.service))],
      spanCount: spans.length,
      spans: tree,
    },
    query,
    spans.length > MAX_TREE
      ? `only the first ${MAX_TREE} of ${spans.length} spans (depth first) are shown`
      : undefined,
  );
}
