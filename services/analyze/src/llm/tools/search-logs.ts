import { z } from 'zod';
import { Severity, type LogRecord } from '@sleuth/core';
import {
  clip,
  guard,
  iso,
  limitParam,
  resolveWindow,
  scopeParams,
  severitiesFrom,
  widenNote,
  windowParams,
} from './common';
import { assertKnown, logFilter, resolveScope, scopeEcho } from './resource-scope';
import { defineTool, noData, ok } from './tool';

const BODY_CHARS = 500;
const SHORT_BODY_CHARS = 200;
/** Body characters one answer carries at most: past it bodies are cut shorter, then older lines left out. */
const BODY_BUDGET = 6000;

const params = z.object({
  q: z
    .string()
    .max(1000)
    .optional()
    .describe('Full-text search: words are ANDed, "exact phrase", prefix*, -excluded; omit for every line'),
  ...scopeParams,
  container: z.string().min(1).max(253).optional().describe('Only this container'),
  severity: Severity.optional().describe('Minimum severity: warn means warn, error and fatal'),
  ...windowParams,
  limit: limitParam(30, 200, 'lines'),
});

/** A log line as the model reads it. */
interface ShownLine {
  evidenceId: string;
  time: string;
  pod?: string;
  container?: string;
  severity: Severity;
  body: string;
}

export const searchLogs = defineTool({
  name: 'search_logs',
  description:
    'Search log lines, newest first, by text, object (a workload covers its pods), severity and time window.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const w = resolveWindow(p, ctx.nowMs);
        const scope = await resolveScope(ctx, p);
        query = {
          ...(p.q ? { q: p.q } : {}),
          ...scopeEcho(scope),
          ...(p.container ? { container: p.container } : {}),
          ...(p.severity ? { severity: p.severity } : {}),
          from: iso(w.fromMs),
          to: iso(w.toMs),
          limit: p.limit,
        };
        const source = logFilter(scope);
        const severities = severitiesFrom(p.severity);
        const page = await ctx.store.searchLogs({
          ...(p.q ? { q: p.q } : {}),
          ...source,
          ...(p.container ? { container: p.container } : {}),
          ...(severities ? { severities } : {}),
          fromMs: w.fromMs,
          toMs: w.toMs,
          limit: p.limit,
        });
        if (page.records.length === 0) {
          await assertKnown(ctx, scope);
          return noData(
            query,
            widenNote('No log lines matched', w, [
              'raise sinceMinutes',
              ...(p.q ? ['use fewer words in q'] : []),
              ...(p.severity ? ['drop severity'] : []),
              ...(scope.target ? ['search the namespace instead of one object'] : []),
            ]),
          );
        }
        const { lines, dropped } = fit(page.records);
        const shown = lines.map((l): ShownLine => {
          const time = iso(l.record.timeMs);
          const where = [l.record.source.pod, l.record.source.container].filter(Boolean).join('/');
          const evidenceId = ctx.evidence.add(
            { kind: 'log', ids: [l.id] },
            `${time} ${where} ${l.record.severity}: ${clip(l.record.body, 300)}`,
          );
          return {
            evidenceId,
            time,
            ...(l.record.source.pod ? { pod: l.record.source.pod } : {}),
            ...(l.record.source.container ? { container: l.record.source.container } : {}),
            severity: l.record.severity,
            body: l.body,
          };
        });
        const more = page.nextCursor !== undefined || dropped > 0;
        const oldest = shown[shown.length - 1]?.time;
        const notes = [
          ...(dropped > 0 ? [`${dropped} older lines left out to keep the answer short`] : []),
          ...(more && oldest
            ? [`more lines match: call again with to=${oldest} for older ones, or narrow q`]
            : []),
        ];
        return ok({ lines: shown, more }, query, notes.length > 0 ? notes.join('; ') : undefined);
      },
    );
  },
});

/** Lines with store ids and bodies cut to fit the budget: long bodies shortened first, then older lines dropped. */
function fit(records: LogRecord[]): {
  lines: { id: string; record: LogRecord; body: string }[];
  dropped: number;
} {
  const withIds = records.flatMap((record) => (record.id === undefined ? [] : [{ id: record.id, record }]));
  const total = (max: number): number => withIds.reduce((n, l) => n + Math.min(l.record.body.length, max), 0);
  const max = total(BODY_CHARS) <= BODY_BUDGET ? BODY_CHARS : SHORT_BODY_CHARS;
  const lines: { id: string; record: LogRecord; body: string }[] = [];
  let used = 0;
  for (const l of withIds) {
    const body = clip(l.record.body, max);
    if (used + body.length > BODY_BUDGET && lines.length > 0) break;
    used += body.length;
    lines.push({ ...l, body });
  }
  return { lines, dropped: withIds.length - lines.length };
}
