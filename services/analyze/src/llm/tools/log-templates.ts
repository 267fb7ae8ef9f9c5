import { z } from 'zod';
import { Severity, type LogRecord } from '@sleuth/core';
import { TemplateMiner } from '@sleuth/detect';
import type { LogQuery } from '@sleuth/store';
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
  type Window,
} from './common';
import { assertKnown, logFilter, resolveScope, scopeEcho } from './resource-scope';
import { defineTool, noData, ok, type ToolContext } from './tool';

/** Lines read per window (newest first), in pages. */
const MAX_LINES = 3000;
const PAGE = 1000;
const MAX_NEW = 10;
const MAX_GONE = 5;

const params = z.object({
  ...scopeParams,
  severity: Severity.optional().describe('Minimum severity of the lines mined, e.g. warn'),
  ...windowParams,
  limit: limitParam(10, 50, 'templates'),
});

interface Tally {
  before: number;
  now: number;
  /** The newest line of the template in the window (or in the reference window when none). */
  example?: LogRecord;
}

export const logTemplates = defineTool({
  name: 'log_templates',
  description:
    'Group log lines into templates (messages with <*> for variable parts) and compare the window with ' +
    'the equally long window before it: the most frequent templates now, and templates that are new or gone.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const w = resolveWindow(p, ctx.nowMs);
        const ref: Window = { fromMs: w.fromMs - (w.toMs - w.fromMs), toMs: w.fromMs };
        const scope = await resolveScope(ctx, p);
        query = {
          ...scopeEcho(scope),
          ...(p.severity ? { severity: p.severity } : {}),
          from: iso(w.fromMs),
          to: iso(w.toMs),
          reference: { from: iso(ref.fromMs), to: iso(ref.toMs) },
          limit: p.limit,
        };
        const severities = severitiesFrom(p.severity);
        const filter: LogQuery = { ...logFilter(scope), ...(severities ? { severities } : {}) };
        const before = await readLines(ctx, filter, ref);
        const now = await readLines(ctx, filter, w);
        if (now.records.length === 0) {
          await assertKnown(ctx, scope);
          return noData(
            query,
            widenNote('No log lines to mine', w, [
              'raise sinceMinutes',
              ...(p.severity ? ['drop severity'] : []),
              ...(scope.target ? ['mine the namespace instead of one object'] : []),
            ]),
          );
        }
        const miner = new TemplateMiner();
        const tallies = new Map<string, Tally>();
        const tally = (id: string): Tally => {
          let t = tallies.get(id);
          if (!t) tallies.set(id, (t = { before: 0, now: 0 }));
          return t;
        };
        // Oldest first, the reference window before the window, as the lines arrived.
        for (const r of [...before.records].reverse()) {
          const t = tally(miner.add(r.body).templateId);
          t.before++;
          t.example = r;
        }
        for (const r of [...now.records].reverse()) {
          const t = tally(miner.add(r.body).templateId);
          t.now++;
          t.example = r;
        }
        // Top templates carry an example line; the `new` and `gone` lists only cite one.
        const shown = (id: string, t: Tally, withExample: boolean) => {
          const text = clip(miner.template(id)?.text ?? '', 200);
          const ex = t.example;
          const evidenceId =
            ex?.id === undefined
              ? undefined
              : ctx.evidence.add(
                  { kind: 'log', ids: [ex.id] },
                  `${iso(ex.timeMs)} ${ex.source.pod ?? ''} ${ex.severity}: ${clip(ex.body, 300)}`,
                );
          return {
            template: text,
            now: t.now,
            before: t.before,
            new: t.before === 0,
            ...(evidenceId ? { evidenceId } : {}),
            ...(evidenceId && withExample ? { example: clip(ex?.body ?? '', 150) } : {}),
          };
        };
        const entries = [...tallies.entries()];
        const byNow = entries.filter(([, t]) => t.now > 0).sort((a, b) => b[1].now - a[1].now);
        const data = {
          lines: { window: now.records.length, reference: before.records.length },
          templates: byNow.slice(0, p.limit).map(([id, t]) => shown(id, t, true)),
          new: byNow
            .filter(([, t]) => t.before === 0)
            .slice(0, MAX_NEW)
            .map(([id, t]) => shown(id, t, false)),
          gone: entries
            .filter(([, t]) => t.now === 0)
            .sort((a, b) => b[1].before - a[1].before)
            .slice(0, MAX_GONE)
            .map(([id, t]) => shown(id, t, false)),
        };
        const notes = [
          ...(now.truncated ? [`only the newest ${MAX_LINES} lines of the window were mined`] : []),
          ...(before.truncated
            ? [`only the newest ${MAX_LINES} lines of the reference window were mined`]
            : []),
          ...(byNow.length > p.limit ? [`${byNow.length - p.limit} less frequent templates left out`] : []),
        ];
        return ok(data, query, notes.length > 0 ? notes.join('; ') : undefined);
      },
    );
  },
});

/** Up to MAX_LINES lines of the window, newest first, and whether more were there. */
async function readLines(
  ctx: ToolContext,
  filter: LogQuery,
  w: Window,
): Promise<{ records: LogRecord[]; truncated: boolean }> {
  const records: LogRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.searchLogs({
      ...filter,
      fromMs: w.fromMs,
      toMs: w.toMs,
      limit: Math.min(PAGE, MAX_LINES - records.length),
      ...(cursor ? { cursor } : {}),
    });
    records.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor && records.length < MAX_LINES);
  return { records, truncated: cursor !== undefined };
}
