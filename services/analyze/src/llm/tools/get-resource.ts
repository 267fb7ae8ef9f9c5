import { z } from 'zod';
import { ValidationError, type ObjectSnapshot } from '@sleuth/core';
import { clip, field, guard, isRecord, iso, refText, ResourceParam } from './common';
import { locate } from './resource-scope';
import { defineTool, noData, ok } from './tool';

/** Characters of the object's JSON aimed for; past it strings, lists and depth are cut in steps. */
const OBJECT_BUDGET = 9000;
const TRIM_LEVELS = [
  { maxString: 500, maxItems: 50, maxDepth: 14 },
  { maxString: 200, maxItems: 15, maxDepth: 9 },
  { maxString: 100, maxItems: 8, maxDepth: 6 },
];
/** Fields that say nothing about health, anywhere in an object. */
const NOISE_FIELDS = new Set(['managedFields', 'resourceVersion', 'selfLink', 'uid']);
const NOISE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

const params = z.object({
  resource: ResourceParam.describe('The object to read'),
  at: z
    .string()
    .max(40)
    .optional()
    .describe('Read the state as of this ISO 8601 time instead of the latest, e.g. before a rollout'),
});

export const getResource = defineTool({
  name: 'get_resource',
  description:
    'Read one Kubernetes object: its spec and status (trimmed), owners, replica or container summary, as ' +
    'of now or of an earlier time. Secret values are never shown, only their keys.',
  params,
  readOnly: true,
  run(p, ctx) {
    let query: unknown = p;
    return guard(
      () => query,
      async () => {
        const { ref, snapshot } = await locate(ctx, p.resource, true);
        const atMs = p.at === undefined ? undefined : Date.parse(p.at);
        if (atMs !== undefined && Number.isNaN(atMs))
          throw new ValidationError(`at: "${p.at}" is not an ISO 8601 time`);
        query = { resource: ref, ...(atMs !== undefined ? { at: iso(atMs) } : {}) };
        const snap =
          atMs === undefined
            ? snapshot
            : (await ctx.store.objectHistory(ref, { toMs: atMs + 1, limit: 1 }))[0];
        if (!snap)
          return noData(
            query,
            `no state of ${refText(ref)} was recorded at or before ${p.at}: try a later time`,
          );
        const summary = healthSummary(snap);
        const evidenceId = ctx.evidence.add(
          { kind: 'object', ref: snap.ref, timeMs: snap.timeMs },
          `${refText(ref)} as of ${iso(snap.timeMs)}${snap.deleted ? ': deleted' : summary.text ? `: ${summary.text}` : ''}`,
        );
        const { object, trimmed } = presentObject(snap);
        return ok(
          {
            resource: ref,
            evidenceId,
            time: iso(snap.timeMs),
            ...(snap.deleted ? { deleted: true } : {}),
            owners: owners(snap),
            ...summary.data,
            object,
          },
          query,
          trimmed ? 'long strings and lists in the object were cut to keep the answer short' : undefined,
        );
      },
    );
  },
});

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function owners(s: ObjectSnapshot): string[] {
  const refs = field(s.object, 'metadata', 'ownerReferences');
  if (!Array.isArray(refs)) return [];
  return refs.map((o) => `${str(field(o, 'kind')) ?? '?'} ${str(field(o, 'name')) ?? '?'}`);
}

/** Replicas of a workload, containers of a pod: what a person looks at first. */
function healthSummary(s: ObjectSnapshot): { data: Record<string, unknown>; text?: string } {
  const o = s.object;
  const status = (...path: string[]) => num(field(o, 'status', ...path));
  switch (s.ref.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      const replicas = {
        desired: num(field(o, 'spec', 'replicas')) ?? 1,
        ready: status('readyReplicas') ?? 0,
        ...(status('updatedReplicas') !== undefined ? { updated: status('updatedReplicas') } : {}),
        ...(status('availableReplicas') !== undefined ? { available: status('availableReplicas') } : {}),
      };
      return { data: { replicas }, text: `${replicas.ready}/${replicas.desired} replicas ready` };
    }
    case 'DaemonSet': {
      const replicas = {
        desired: status('desiredNumberScheduled') ?? 0,
        ready: status('numberReady') ?? 0,
        ...(status('updatedNumberScheduled') !== undefined
          ? { updated: status('updatedNumberScheduled') }
          : {}),
      };
      return { data: { replicas }, text: `${replicas.ready}/${replicas.desired} pods ready` };
    }
    case 'Pod': {
      const statuses = field(o, 'status', 'containerStatuses');
      const containers = (Array.isArray(statuses) ? statuses : []).map((c) => ({
        name: str(field(c, 'name')) ?? '?',
        ready: field(c, 'ready') === true,
        restarts: num(field(c, 'restartCount')) ?? 0,
        state: containerState(field(c, 'state')),
        ...(field(c, 'lastState', 'terminated') ? { lastState: containerState(field(c, 'lastState')) } : {}),
      }));
      const phase = str(field(o, 'status', 'phase'));
      const text = [phase, ...containers.map((c) => `${c.name} ${c.state}, ${c.restarts} restarts`)]
        .filter(Boolean)
        .join('; ');
      return { data: { ...(phase ? { phase } : {}), containers }, text };
    }
    default:
      return { data: {} };
  }
}

function containerState(state: unknown): string {
  for (const key of ['waiting', 'terminated', 'running']) {
    const s = field(state, key);
    if (s === undefined) continue;
    const reason = str(field(s, 'reason'));
    const code = num(field(s, 'exitCode'));
    return [key, reason, code !== undefined ? `(exit ${code})` : undefined].filter(Boolean).join(' ');
  }
  return 'unknown';
}

/**
 * The object without noise (managedFields, last-applied annotations, resourceVersion, uid, owner
 * references shown apart), cut to the budget. A Secret shows only its type, annotation keys and
 * data keys: its values are never read.
 */
function presentObject(s: ObjectSnapshot): { object: Record<string, unknown>; trimmed: boolean } {
  const o = s.object;
  const metadata = field(o, 'metadata');
  const annotations = field(metadata, 'annotations');
  const noteworthy = isRecord(annotations)
    ? Object.keys(annotations).filter((k) => !NOISE_ANNOTATIONS.includes(k))
    : [];
  if (s.ref.kind === 'Secret') {
    const keys = (section: string): string[] => {
      const d = field(o, section);
      return isRecord(d) ? Object.keys(d) : [];
    };
    return {
      object: {
        ...(str(field(o, 'type')) ? { type: str(field(o, 'type')) } : {}),
        ...(noteworthy.length > 0 ? { annotationKeys: noteworthy } : {}),
        dataKeys: [...new Set([...keys('data'), ...keys('stringData')])].sort(),
      },
      trimmed: false,
    };
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(isRecord(metadata) ? metadata : {})) {
    if (NOISE_FIELDS.has(k) || k === 'ownerReferences' || k === 'name' || k === 'namespace') continue;
    if (k === 'annotations') {
      const kept = Object.fromEntries(noteworthy.map((a) => [a, isRecord(v) ? v[a] : undefined]));
      if (noteworthy.length > 0) meta[k] = kept;
    } else meta[k] = v;
  }
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'metadata' && k !== 'apiVersion') body[k] = v;
  const whole = { metadata: meta, ...body };
  for (const [i, level] of TRIM_LEVELS.entries()) {
    const cut = trimValue(whole, level, 0);
    if (isRecord(cut) && (JSON.stringify(cut).length <= OBJECT_BUDGET || i === TRIM_LEVELS.length - 1))
      return { object: cut, trimmed: i > 0 || JSON.stringify(cut) !== JSON.stringify(whole) };
  }
  return { object: {}, trimmed: true };
}

/** A copy without noise fields, with strings, lists, maps and nesting cut to the level's limits. */
function trimValue(v: unknown, level: (typeof TRIM_LEVELS)[number], depth: number): unknown {
  if (typeof v === 'string') return clip(v, level.maxString);
  if (Array.isArray(v)) {
    if (depth >= level.maxDepth) return `[${v.length} items]`;
    const kept = v.slice(0, level.maxItems).map((x) => trimValue(x, level, depth + 1));
    return v.length > level.maxItems ? [...kept, `…${v.length - level.maxItems} more`] : kept;
  }
  if (isRecord(v)) {
    if (depth >= level.maxDepth) return '{…}';
    const entries = Object.entries(v).filter(([k]) => !NOISE_FIELDS.has(k));
    const out: Record<string, unknown> = {};
    for (const [k, x] of entries.slice(0, level.maxItems)) out[k] = trimValue(x, level, depth + 1);
    if (entries.length > level.maxItems) out['…'] = `${entries.length - level.maxItems} more keys`;
    return out;
  }
  return v;
}
