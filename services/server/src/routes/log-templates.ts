import { storeFor } from '../auth/gate';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError, type LogRecord, type Severity } from '@sleuth/core';
import { TemplateMiner } from '@sleuth/detect';
import type { LogQuery, Store } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';
import { Limit, SeverityList, SourceParams, TimeParam } from './params';

/**
 * Lines read from the window, newest first. Records are not stored with a template id, so the
 * route mines the lines it reads with a fresh miner: the cost follows this bound, not the store.
 */
export const MAX_WINDOW_LINES = 20_000;
/** Lines read from the reference window (the equally long window before), to tell new templates. */
export const MAX_REFERENCE_LINES = 10_000;
const PAGE = 1000;
/** Buckets of the counts over time: about this many, on a round step. */
const TARGET_BUCKETS = 30;
const STEPS_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
const MAX_EXAMPLE_CHARS = 500;
const DEFAULT_WINDOW_MS = 3_600_000;

/** One template of the answer: what it reads like, how often and when it occurred. */
export interface LogTemplateSummary {
  /** The miner's id (a hash of the line shape that created it; `tpl_` + 16 hex digits). */
  id: string;
  /** The message with `<*>` for every variable part. */
  text: string;
  /** Lines of the template among the lines read from the window. */
  count: number;
  /** Lines of the template among the lines read from the reference window. */
  before: number;
  /** Not seen among the lines read from the reference window. */
  new: boolean;
  /** Earliest and latest time (epoch ms) the template was seen among every line read. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Lines per bucket of the window (`buckets` of the answer gives each bucket's start). */
  counts: number[];
  /** The newest line of the template in the window, body cut at 500 characters. */
  example: { id: string; timeMs: number; severity: Severity; body: string };
}

/** `GET /api/v1/log-templates`. */
export interface LogTemplatesAnswer {
  /** The window mined, epoch ms; `to` is the newest line's time when the query gave none. */
  from: number;
  to: number;
  bucketMs: number;
  /** Start of each bucket, epoch ms. */
  buckets: number[];
  /** Lines read from the window; `truncated` when more were there (then `coveredFromMs` is the oldest read). */
  window: { lines: number; truncated: boolean; coveredFromMs?: number; maxLines: number };
  reference: { from: number; to: number; lines: number; truncated: boolean; maxLines: number };
  /** Templates seen in the window. */
  total: number;
  /** The most frequent templates of the window, most lines first. */
  top: LogTemplateSummary[];
  /** Templates of the window not seen in the reference window, most lines first. */
  new: LogTemplateSummary[];
}

export interface LogTemplateRouteDeps {
  store: Store;
  metrics: ServerMetrics;
}

interface Tally {
  count: number;
  before: number;
  first: number;
  last: number;
  counts: number[];
  example?: LogRecord;
}

/** A round bucket width giving about TARGET_BUCKETS buckets over `spanMs`. */
export function bucketWidth(spanMs: number): number {
  const want = spanMs / TARGET_BUCKETS;
  return STEPS_MS.find((s) => s >= want) ?? Math.ceil(want / 3_600_000) * 3_600_000;
}

async function readLines(
  store: Store,
  filter: LogQuery,
  fromMs: number,
  toMs: number | undefined,
  max: number,
): Promise<{ records: LogRecord[]; truncated: boolean }> {
  const records: LogRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.searchLogs({
      ...filter,
      fromMs,
      ...(toMs === undefined ? {} : { toMs }),
      limit: Math.min(PAGE, max - records.length),
      ...(cursor ? { cursor } : {}),
    });
    records.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor && records.length < max);
  return { records, truncated: cursor !== undefined };
}

/**
 * Log templates of a scope and window: the most frequent ones and the ones new against the
 * window before, each with its counts per time bucket, mined from a bounded read of the lines.
 */
export function logTemplateRoutes({ store, metrics }: LogTemplateRouteDeps) {
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/log-templates',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            ...SourceParams,
            q: z.string().max(1000).optional(),
            severity: SeverityList.optional(),
            from: TimeParam.optional(),
            to: TimeParam.optional(),
            limit: Limit(100, 20),
          }),
        },
      },
      async (req): Promise<LogTemplatesAnswer> => {
        const { from, to, severity, limit, ...scope } = req.query;
        const now = Date.now();
        const fromMs = from ?? (to ?? now) - DEFAULT_WINDOW_MS;
        if (to !== undefined && to <= fromMs) {
          throw new ValidationError('empty window: `to` must be after `from`', { from: fromMs, to });
        }
        const filter: LogQuery = { ...scope, ...(severity ? { severities: severity } : {}) };
        const window = await metrics.timeQuery('log_templates', () =>
          readLines(storeFor(req, store), filter, fromMs, to, MAX_WINDOW_LINES),
        );
        // Without `to`, the window runs to its newest line (signals may be stamped ahead of this clock).
        const newest = window.records[0]?.timeMs;
        const toMs = to ?? Math.max(now, newest === undefined ? now : Math.floor(newest) + 1);
        const span = toMs - fromMs;
        const refFrom = fromMs - span;
        const reference = await metrics.timeQuery('log_templates', () =>
          readLines(storeFor(req, store), filter, refFrom, fromMs, MAX_REFERENCE_LINES),
        );
        const bucketMs = bucketWidth(span);
        const start = Math.floor(fromMs / bucketMs) * bucketMs;
        const n = Math.max(1, Math.ceil((toMs - start) / bucketMs));
        const buckets = Array.from({ length: n }, (_, i) => start + i * bucketMs);

        const miner = new TemplateMiner();
        const tallies = new Map<string, Tally>();
        const tally = (r: LogRecord): Tally => {
          const id = miner.add(r.body).templateId;
          let t = tallies.get(id);
          if (!t) {
            t = {
              count: 0,
              before: 0,
              first: r.timeMs,
              last: r.timeMs,
              counts: new Array<number>(n).fill(0),
            };
            tallies.set(id, t);
          }
          t.first = Math.min(t.first, r.timeMs);
          t.last = Math.max(t.last, r.timeMs);
          return t;
        };
        // Oldest first, the reference window before the window, as the lines arrived.
        for (let i = reference.records.length - 1; i >= 0; i--) tally(reference.records[i]!).before++;
        for (let i = window.records.length - 1; i >= 0; i--) {
          const r = window.records[i]!;
          const t = tally(r);
          t.count++;
          t.example = r;
          const b = Math.floor((r.timeMs - start) / bucketMs);
          if (b >= 0 && b < n) t.counts[b]! += 1;
        }
        const summary = (id: string, t: Tally & { example: LogRecord }): LogTemplateSummary => ({
          id,
          text: miner.template(id)?.text ?? '',
          count: t.count,
          before: t.before,
          new: t.before === 0,
          firstSeenMs: t.first,
          lastSeenMs: t.last,
          counts: t.counts,
          example: {
            id: t.example.id ?? '',
            timeMs: t.example.timeMs,
            severity: t.example.severity,
            body: t.example.body.slice(0, MAX_EXAMPLE_CHARS),
          },
        });
        const seen = [...tallies.entries()]
          .filter((e): e is [string, Tally & { example: LogRecord }] => e[1].example !== undefined)
          .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first);
        const oldestRead = window.records.at(-1)?.timeMs;
        return {
          from: fromMs,
          to: toMs,
          bucketMs,
          buckets,
          window: {
            lines: window.records.length,
            truncated: window.truncated,
            ...(window.truncated && oldestRead !== undefined ? { coveredFromMs: oldestRead } : {}),
            maxLines: MAX_WINDOW_LINES,
          },
          reference: {
            from: refFrom,
            to: fromMs,
            lines: reference.records.length,
            truncated: reference.truncated,
            maxLines: MAX_REFERENCE_LINES,
          },
          total: seen.length,
          top: seen.slice(0, limit).map(([id, t]) => summary(id, t)),
          new: seen
            .filter(([, t]) => t.before === 0)
            .slice(0, limit)
            .map(([id, t]) => summary(id, t)),
        };
      },
    );
  };
}
