import { canonicalKind, refKey, ValidationError, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import { field, refText, shownRef, type ResourceParam } from './common';
import type { ToolContext } from './tool';

const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole']);
/** Kinds whose pods' signals carry the kind's name as `workload`. */
export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
  'ReplicaSet',
]);

/**
 * A Kubernetes kind as the store names it: full kinds in any case or plural (`deployments`), and
 * kubectl's short names (`deploy`, `sts`, `ds`, `po`, `svc`, `ns`, `cm`, `pvc`, `hpa`, `ing`, `no`).
 * Unknown kinds (custom resources) are returned trimmed, as given.
 */
export function normaliseKind(kind: string): string {
  return canonicalKind(kind.trim());
}

/** An object the store knows (snapshot set) or only a name signals may carry (snapshot absent). */
export interface Located {
  ref: ResourceRef;
  snapshot?: ObjectSnapshot;
}

/**
 * Finds the object a resource param names. A missing cluster is the default cluster, else the one
 * cluster holding that object; a missing namespace is the one namespace holding it. A name held in
 * several places throws a ValidationError listing them. An unknown object throws, listing close
 * names, when `required` or when similar objects exist (a misspelling, the wrong kind); else, with
 * its cluster known, it is returned without a snapshot, so signal tools still find the signals of
 * what Sleuth holds no objects for (a fleet sending only OpenTelemetry data).
 */
export async function locate(ctx: ToolContext, p: ResourceParam, required: boolean): Promise<Located> {
  const kind = normaliseKind(p.kind);
  const namespace = CLUSTER_SCOPED.has(kind) ? undefined : p.namespace;
  const found = await ctx.store.listObjects({
    kind,
    name: p.name,
    includeDeleted: true,
    limit: 50,
    ...(p.cluster ? { cluster: p.cluster } : {}),
    ...(namespace ? { namespace } : {}),
  });
  let candidates = found;
  if (!p.cluster && ctx.defaultCluster) {
    const inDefault = found.filter((s) => s.ref.cluster === ctx.defaultCluster);
    if (inDefault.length > 0) candidates = inDefault;
  }
  const live = candidates.filter((s) => !s.deleted);
  if (candidates.length > 1 && live.length > 0) candidates = live;
  const [only] = candidates;
  if (only && candidates.length === 1) return { ref: shownRef(only.ref), snapshot: only };
  if (candidates.length > 1) {
    const places = candidates.map((s) => `namespace ${s.ref.namespace ?? '-'} of cluster ${s.ref.cluster}`);
    throw new ValidationError(
      `${kind} ${p.name} is ambiguous: it exists in ${places.slice(0, 10).join('; ')}. Give namespace and cluster.`,
    );
  }
  const cluster = p.cluster ?? ctx.defaultCluster;
  const ref = { ...(cluster ? { cluster } : {}), ...(namespace ? { namespace } : {}), kind, name: p.name };
  const close = await closeMatches(ctx, kind, p.name, namespace, cluster);
  // Similar objects exist: the model most likely misspelt one (or named the wrong kind).
  if (required || cluster === undefined || close.length > 0)
    throw new ValidationError(unknownMessage(ref, close));
  return { ref: { ...ref, cluster } };
}

/** Throws the unknown-object error when a scope names an object the store holds no state of. */
export async function assertKnown(ctx: ToolContext, scope: Scope): Promise<void> {
  const t = scope.target;
  if (!t || t.snapshot) return;
  const close = await closeMatches(ctx, t.ref.kind, t.ref.name, t.ref.namespace, t.ref.cluster);
  throw new ValidationError(unknownMessage(t.ref, close));
}

function unknownMessage(
  r: { kind: string; name: string; namespace?: string | undefined; cluster?: string | undefined },
  close: string[],
): string {
  const where = `${r.namespace ? `namespace ${r.namespace}` : 'any namespace'} of ${r.cluster ? `cluster ${r.cluster}` : 'any cluster'}`;
  const hint =
    close.length > 0 ? `Close matches: ${close.join('; ')}.` : 'No similar names: check the kind and name.';
  return `no ${r.kind} named ${r.name} in ${where}. ${hint}`;
}

/** Up to 5 objects with names like `name`: same kind anywhere in the cluster, or the same name. */
async function closeMatches(
  ctx: ToolContext,
  kind: string,
  name: string,
  namespace: string | undefined,
  cluster: string | undefined,
): Promise<string[]> {
  const where = cluster ? { cluster } : {};
  const pool = [
    ...(await ctx.store.listObjects({ ...where, kind, limit: 2000 })),
    ...(await ctx.store.listObjects({ ...where, name, limit: 20 })),
  ];
  const scored = new Map<string, number>();
  for (const s of pool) {
    const text = `${refText(s.ref)} (cluster ${s.ref.cluster})`;
    const score =
      similarity(name.toLowerCase(), s.ref.name.toLowerCase()) + (s.ref.namespace === namespace ? 0.05 : 0);
    if (score >= 0.4) scored.set(text, Math.max(score, scored.get(text) ?? 0));
  }
  return [...scored.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([text]) => text);
}

/** 1 for equal names, 0.8 when one contains the other, else 1 - edit distance / longer length. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length > 0 && b.length > 0 && (a.includes(b) || b.includes(a))) return 0.8;
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return 1 - (row[b.length] ?? 0) / Math.max(a.length, b.length, 1);
}

/** Where a listing tool looks, resolved: an object (when given) and its cluster and namespace. */
export interface Scope {
  cluster?: string;
  namespace?: string;
  target?: Located;
}

/** Resolves `scopeParams`; the resource's cluster and namespace win over the separate ones. */
export async function resolveScope(
  ctx: ToolContext,
  p: { resource?: ResourceParam | undefined; namespace?: string | undefined; cluster?: string | undefined },
  required = false,
): Promise<Scope> {
  if (p.resource) {
    const target = await locate(
      ctx,
      {
        ...p.resource,
        cluster: p.resource.cluster ?? p.cluster,
        namespace: p.resource.namespace ?? p.namespace,
      },
      required,
    );
    return {
      target,
      cluster: target.ref.cluster,
      ...(target.ref.namespace ? { namespace: target.ref.namespace } : {}),
    };
  }
  const cluster = p.cluster ?? ctx.defaultCluster;
  return { ...(cluster ? { cluster } : {}), ...(p.namespace ? { namespace: p.namespace } : {}) };
}

/** The scope as echoed in `query`: a resolved reference instead of the model's spelling. */
export function scopeEcho(s: Scope): Record<string, unknown> {
  if (s.target) return { resource: s.target.ref };
  return { ...(s.cluster ? { cluster: s.cluster } : {}), ...(s.namespace ? { namespace: s.namespace } : {}) };
}

/** Signal source fields (as logs, spans and series carry them) that select a scope's signals. */
export interface SourceScope {
  cluster?: string;
  namespace?: string;
  workload?: string;
  pod?: string;
  service?: string;
  node?: string;
}

/**
 * The source fields selecting a scope's signals: a workload's pods by `workload` (a ReplicaSet or
 * Job by its controlling Deployment or CronJob), a Pod by `pod`, a Service by `service`, a Node by
 * `node`, a Namespace by `namespace`. Other kinds have no signals of their own: ValidationError.
 */
export function sourceScope(s: Scope): SourceScope {
  const out: SourceScope = {};
  if (s.cluster) out.cluster = s.cluster;
  if (s.namespace) out.namespace = s.namespace;
  const t = s.target;
  if (!t) return out;
  const { kind, name } = t.ref;
  if (WORKLOAD_KINDS.has(kind)) {
    const owners: unknown = field(t.snapshot?.object, 'metadata', 'ownerReferences');
    const list: unknown[] = Array.isArray(owners) ? owners : [];
    const controller = list.find(
      (o) => field(o, 'controller') === true && WORKLOAD_KINDS.has(String(field(o, 'kind'))),
    );
    const ownerName = field(controller, 'name');
    out.workload = typeof ownerName === 'string' ? ownerName : name;
  } else if (kind === 'Pod') out.pod = name;
  else if (kind === 'Service') out.service = name;
  else if (kind === 'Node') out.node = name;
  else if (kind === 'Namespace') out.namespace = name;
  else
    throw new ValidationError(
      `${kind} has no signals of its own: ask about a workload, Pod, Service, Node or Namespace instead`,
    );
  return out;
}

/** The log search filter of a scope: logs carry no node, so a Node scope is refused. */
export function logFilter(s: Scope): Omit<SourceScope, 'node'> {
  const { node, ...source } = sourceScope(s);
  if (node !== undefined)
    throw new ValidationError('logs cannot be filtered by Node: ask about a pod on it, or its namespace');
  return source;
}

/**
 * Keys of the object and of what it owns (a Deployment's ReplicaSets and their Pods, a CronJob's
 * Jobs and Pods), from the topology graph; only the object's key when the graph has no answer.
 */
export async function ownedKeys(ctx: ToolContext, ref: ResourceRef): Promise<Set<string>> {
  const start = refKey(ref);
  const keys = new Set([start]);
  const graph = await ctx.topology.graph(ref.cluster, ctx.nowMs).catch(() => undefined);
  if (!graph) return keys;
  let frontier = [start];
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const k of frontier)
      for (const e of graph.neighbours(k).dependsOn)
        if (e.kind === 'owns' && !keys.has(e.to)) {
          keys.add(e.to);
          next.push(e.to);
        }
    frontier = next;
  }
  return keys;
}
