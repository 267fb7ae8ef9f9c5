import { z } from 'zod';
import { refKey, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import { createdMs, describeChange } from '../../changes/object-changes';
import {
  guard,
  iso,
  limitParam,
  refText,
  resolveWindow,
  scopeParams,
  widenNote,
  windowParams,
  type Window,
} from './common';
import { normaliseKind, ownedKeys, resolveScope, scopeEcho, type Scope } from './resource-scope';
import { defineTool, noData, ok, type ToolContext } from './tool';

/** Kinds whose changes (rollouts, config, scaling, deletion) can start trouble. */
const CHANGE_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'ConfigMap',
  'Secret',
  'HorizontalPodAutoscaler',
  'Service',
  'Ingress',
  'PersistentVolumeClaim',
  'Node',
];
/** Objects whose history one call reads at most; states per object in the window. */
const MAX_OBJECTS = 300;
const STATES_PER_OBJECT = 50;

const params = z.object({
  ...scopeParams,
  kinds: z
    .array(z.string().min(1).max(63))
    .max(20)
    .optional()
    .describe(
      'Only these kinds, e.g. ["Deployment","ConfigMap"]; default: workloads, config, scaling, networking',
    ),
  ...windowParams,
  limit: limitParam(20, 100, 'changes'),
});

const CATEGORIES: [RegExp, string][] = [
  [/^deleted/, 'deletion'],
  [/^created/, 'creation'],
  [/^(image of|container )/, 'rollout'],
  [/^replicas/, 'scale'],
  [/^data changed/, 'config'],
  [/^spec changed/, 'spec'],
];

export const recentChanges = defineTool({
  name: 'recent_changes',
  description:
    'List changes to Kubernetes objects in the window, newest first: rollouts (image changes), ConfigMap/Secret ' +
    'data changes (keys only), replica changes, creations and deletions. For an object: it, its owners, and the ' +
    'config and autoscaler its pods use; else every workload, config and network object in the namespace or cluster.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const w = resolveWindow(p, ctx.nowMs);
        const scope = await resolveScope(ctx, p, true);
        const kinds = p.kinds?.map(normaliseKind);
        query = {
          ...scopeEcho(scope),
          ...(kinds ? { kinds } : {}),
          from: iso(w.fromMs),
          to: iso(w.toMs),
          limit: p.limit,
        };
        const { refs, truncated } = scope.target
          ? await relatedRefs(ctx, scope)
          : await scopeRefs(ctx, scope, w, kinds);
        const wanted = kinds && scope.target ? refs.filter((r) => kinds.includes(r.kind)) : refs;
        const changes: { timeMs: number; snap: ObjectSnapshot; lines: string[] }[] = [];
        for (const r of wanted) changes.push(...(await changesOf(ctx, r, w)));
        if (changes.length === 0)
          return noData(
            query,
            widenNote(`No changes to ${wanted.length} objects were recorded`, w, [
              'raise sinceMinutes',
              ...(kinds ? ['drop kinds'] : []),
              ...(scope.target ? ['ask about the namespace instead of one object'] : []),
            ]),
          );
        changes.sort((a, b) => b.timeMs - a.timeMs);
        const shown = changes.slice(0, p.limit).map(({ snap, lines }) => {
          const text = refText(snap.ref);
          return {
            evidenceId: ctx.evidence.add(
              { kind: 'object', ref: snap.ref, timeMs: snap.timeMs },
              `${text} at ${iso(snap.timeMs)}: ${lines.join('; ')}`,
            ),
            time: iso(snap.timeMs),
            object: text,
            types: [...new Set(lines.map(category))],
            changes: lines,
          };
        });
        const notes = [
          ...(changes.length > p.limit
            ? [`${changes.length - p.limit} older changes left out: narrow the window`]
            : []),
          ...(truncated ? [`only ${MAX_OBJECTS} objects were examined: narrow to a namespace or kinds`] : []),
        ];
        return ok(
          { changes: shown, more: changes.length > p.limit },
          query,
          notes.length > 0 ? notes.join('; ') : undefined,
        );
      },
    );
  },
});

function category(line: string): string {
  return CATEGORIES.find(([re]) => re.test(line))?.[1] ?? 'other';
}

/** The object, its owners up to the top, and the config, volumes and autoscaler it and its pods use. */
async function relatedRefs(
  ctx: ToolContext,
  scope: Scope,
): Promise<{ refs: ResourceRef[]; truncated: boolean }> {
  const target = scope.target;
  if (!target) return { refs: [], truncated: false };
  const out = new Map<string, ResourceRef>([[refKey(target.ref), target.ref]]);
  const graph = await ctx.topology.graph(target.ref.cluster, ctx.nowMs).catch(() => undefined);
  if (!graph) return { refs: [...out.values()], truncated: false };
  const addNode = (key: string): void => {
    const n = graph.node(key);
    if (n && !n.missing && !n.observed) out.set(key, n.ref);
  };
  let current = refKey(target.ref);
  for (let hops = 0; hops < 4; hops++) {
    const owner = graph.neighbours(current).dependents.find((e) => e.kind === 'owns');
    if (!owner) break;
    addNode(owner.from);
    current = owner.from;
  }
  const unit = await ownedKeys(ctx, target.ref);
  for (const k of [...unit, current])
    for (const e of graph.neighbours(k).dependsOn)
      if (['uses_configmap', 'uses_secret', 'mounts', 'scaled_by'].includes(e.kind)) addNode(e.to);
  return { refs: [...out.values()], truncated: false };
}

/** Objects of the change kinds in the scope whose latest state is from the window or later. */
async function scopeRefs(
  ctx: ToolContext,
  scope: Scope,
  w: Window,
  kinds: string[] | undefined,
): Promise<{ refs: ResourceRef[]; truncated: boolean }> {
  const refs: ResourceRef[] = [];
  let truncated = false;
  for (const kind of kinds ?? CHANGE_KINDS) {
    const objects = await ctx.store.listObjects({
      kind,
      includeDeleted: true,
      limit: 5000,
      ...(scope.cluster ? { cluster: scope.cluster } : {}),
      ...(scope.namespace ? { namespace: scope.namespace } : {}),
    });
    // Only an object written to in or after the window can have a state in it.
    for (const o of objects) if (o.timeMs >= w.fromMs) refs.push(o.ref);
  }
  if (refs.length > MAX_OBJECTS) truncated = true;
  return { refs: refs.slice(0, MAX_OBJECTS), truncated };
}

/**
 * The object's changes in the window, between successive recorded states. The first state Sleuth
 * saw of an object is a change only when the object was created in the window; a deletion always is.
 */
async function changesOf(
  ctx: ToolContext,
  ref: ResourceRef,
  w: Window,
): Promise<{ timeMs: number; snap: ObjectSnapshot; lines: string[] }[]> {
  const states = (await ctx.store.objectHistory(ref, { ...w, limit: STATES_PER_OBJECT })).reverse();
  if (states.length === 0) return [];
  let previous = (await ctx.store.objectHistory(ref, { toMs: w.fromMs, limit: 1 }))[0];
  const out: { timeMs: number; snap: ObjectSnapshot; lines: string[] }[] = [];
  for (const s of states) {
    const counts = previous !== undefined || s.deleted || (createdMs(s) ?? 0) >= w.fromMs;
    const lines = counts ? describeChange(previous, s) : [];
    if (lines.length > 0) out.push({ timeMs: s.timeMs, snap: s, lines });
    previous = s;
  }
  return out;
}
