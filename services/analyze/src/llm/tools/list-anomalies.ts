import { z } from 'zod';
import { refKey, type Anomaly } from '@sleuth/core';
import {
  clip,
  guard,
  iso,
  limitParam,
  refText,
  resolveWindow,
  round,
  scopeParams,
  shownRef,
  widenNote,
  windowParams,
} from './common';
import { assertKnown, ownedKeys, resolveScope, scopeEcho } from './resource-scope';
import { defineTool, noData, ok } from './tool';

/** Anomalies read when filtering a namespace's down to one object and what it owns. */
const SCAN = 1000;

const params = z.object({
  ...scopeParams,
  detector: z.string().min(1).max(100).optional().describe('Only this detector, e.g. red, log-template'),
  openOnly: z.boolean().default(false).describe('Only anomalies that have not ended'),
  ...windowParams,
  limit: limitParam(20, 100, 'anomalies'),
});

export const listAnomalies = defineTool({
  name: 'list_anomalies',
  description:
    'List anomalies the detectors raised (error spikes, latency, restarts, new log templates...) that were ' +
    'active in the window, newest onset first, for an object (with its pods), a namespace or a cluster.',
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
          ...scopeEcho(scope),
          ...(p.detector ? { detector: p.detector } : {}),
          openOnly: p.openOnly,
          from: iso(w.fromMs),
          to: iso(w.toMs),
          limit: p.limit,
        };
        const base = {
          ...(scope.cluster ? { cluster: scope.cluster } : {}),
          ...(scope.namespace ? { namespace: scope.namespace } : {}),
          ...(p.detector ? { detector: p.detector } : {}),
          openOnly: p.openOnly,
          fromMs: w.fromMs,
          toMs: w.toMs,
        };
        let found: Anomaly[];
        if (scope.target) {
          const keys = await ownedKeys(ctx, scope.target.ref);
          found = (await ctx.store.listAnomalies({ ...base, limit: SCAN })).filter((a) =>
            keys.has(refKey(a.resource)),
          );
        } else found = await ctx.store.listAnomalies({ ...base, limit: p.limit + 1 });
        if (found.length === 0) {
          await assertKnown(ctx, scope);
          return noData(
            query,
            widenNote('No anomalies were active', w, [
              'raise sinceMinutes',
              ...(p.openOnly ? ['set openOnly=false'] : []),
              ...(p.detector ? ['drop detector'] : []),
              ...(scope.target ? ['ask about the namespace instead of one object'] : []),
            ]),
          );
        }
        const anomalies = found.slice(0, p.limit).map((a) => ({
          id: a.id,
          evidenceId: ctx.evidence.add(
            { kind: 'anomaly', id: a.id },
            `${a.title} (${a.detector} on ${refText(a.resource)}, from ${iso(a.onsetMs)}${a.endMs === undefined ? ', open' : ` to ${iso(a.endMs)}`})`,
          ),
          detector: a.detector,
          resource: shownRef(a.resource),
          onset: iso(a.onsetMs),
          lastSeen: iso(a.lastSeenMs),
          ...(a.endMs === undefined ? { open: true } : { end: iso(a.endMs) }),
          score: round(a.score),
          title: clip(a.title, 200),
        }));
        const more = found.length > p.limit;
        return ok(
          { anomalies, more },
          query,
          more ? 'more anomalies matched: narrow the window or raise limit' : undefined,
        );
      },
    );
  },
});
