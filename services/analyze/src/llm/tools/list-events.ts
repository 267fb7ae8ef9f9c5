import { z } from 'zod';
import { refKey } from '@sleuth/core';
import {
  clip,
  guard,
  iso,
  limitParam,
  refText,
  resolveWindow,
  scopeParams,
  widenNote,
  windowParams,
} from './common';
import { assertKnown, ownedKeys, resolveScope, scopeEcho } from './resource-scope';
import { defineTool, noData, ok } from './tool';

/** Events read before filtering to an object and sorting Warnings first. */
const SCAN = 1000;

const params = z.object({
  ...scopeParams,
  type: z
    .enum(['Normal', 'Warning'])
    .optional()
    .describe('Only this event type; default both, Warnings first'),
  reason: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Only this reason, e.g. BackOff, FailedScheduling, OOMKilling'),
  ...windowParams,
  limit: limitParam(20, 100, 'events'),
});

export const listEvents = defineTool({
  name: 'list_events',
  description:
    'List Kubernetes events (BackOff, Unhealthy, FailedScheduling, ScalingReplicaSet...) seen in the window ' +
    'for an object (with its ReplicaSets and pods) or a namespace: Warnings first, then newest first.',
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
          ...(p.type ? { type: p.type } : {}),
          ...(p.reason ? { reason: p.reason } : {}),
          from: iso(w.fromMs),
          to: iso(w.toMs),
          limit: p.limit,
        };
        let events = await ctx.store.listEvents({
          ...(scope.cluster ? { cluster: scope.cluster } : {}),
          ...(scope.namespace ? { namespace: scope.namespace } : {}),
          ...(p.type ? { type: p.type } : {}),
          ...(p.reason ? { reason: p.reason } : {}),
          fromMs: w.fromMs,
          toMs: w.toMs,
          limit: SCAN,
        });
        if (scope.target) {
          const keys = await ownedKeys(ctx, scope.target.ref);
          events = events.filter((e) => keys.has(refKey(e.involved)));
        }
        if (events.length === 0) {
          await assertKnown(ctx, scope);
          return noData(
            query,
            widenNote('No events were seen', w, [
              'raise sinceMinutes',
              ...(p.type || p.reason ? ['drop type and reason'] : []),
              ...(scope.target ? ['ask about the namespace instead of one object'] : []),
            ]),
          );
        }
        // Warnings first; the store's order (newest last sighting first) within each type.
        const sorted = [
          ...events.filter((e) => e.type === 'Warning'),
          ...events.filter((e) => e.type !== 'Warning'),
        ];
        const shown = sorted.slice(0, p.limit).flatMap((e) => {
          if (e.id === undefined) return [];
          const repeated = e.count > 1 ? ` (×${e.count}, last ${iso(e.lastMs)})` : ` at ${iso(e.lastMs)}`;
          return [
            {
              evidenceId: ctx.evidence.add(
                { kind: 'event', ids: [e.id] },
                `${e.type} ${e.reason} on ${refText(e.involved)}${repeated}: ${clip(e.message, 300)}`,
              ),
              time: iso(e.lastMs),
              ...(e.count > 1 ? { first: iso(e.firstMs) } : {}),
              type: e.type,
              reason: e.reason,
              object: refText(e.involved),
              message: clip(e.message, 200),
              count: e.count,
            },
          ];
        });
        const more = sorted.length > p.limit;
        return ok(
          { events: shown, more },
          query,
          more
            ? `${sorted.length - p.limit} more events: filter by type or reason, or raise limit`
            : undefined,
        );
      },
    );
  },
});
