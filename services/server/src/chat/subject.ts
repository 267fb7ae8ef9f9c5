import type { ConversationPin } from '@sleuth/core';
import { canonicalKind, type ResourceArg } from '../resource-arg';

/** What a question is about, as far as Sleuth can tell without an LLM. */
export type ChatSubject =
  | { kind: 'resource'; arg: ResourceArg; cluster?: string | undefined }
  | { kind: 'incident'; id: string }
  | { kind: 'scope'; cluster?: string | undefined; namespace?: string | undefined }
  | { kind: 'none' };

/** Names Sleuth holds, so a bare word in a question can be told apart from English. */
export interface KnownNames {
  clusters: readonly string[];
  namespaces: readonly string[];
}

const KINDS =
  'pods?|po|deployments?|deploy|replicasets?|rs|statefulsets?|sts|daemonsets?|ds|jobs?|cronjobs?|cj|services?|svc|ingress(?:es)?|ing|nodes?|no|persistentvolumeclaims?|pvc|horizontalpodautoscalers?|hpa|poddisruptionbudgets?|pdb|configmaps?|cm|networkpolic(?:y|ies)|netpol';
const NAME = '[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?';
/** `ns/kind/name`, `kind/name`, optionally prefixed `cluster/` when the first part is a known cluster. */
const SLASHED = new RegExp(`(?:^|[\\s(\`'"])((?:${NAME}/){0,2})(${KINDS})/(${NAME})`, 'i');
/** "deployment cart in shop", "the pod cart-5f9 in namespace shop". */
const WORDED = new RegExp(
  `\\b(${KINDS})\\s+[\`'"]?(${NAME})[\`'"]?(?:\\s+in\\s+(?:the\\s+)?(?:namespace\\s+)?[\`'"]?(${NAME})[\`'"]?)?`,
  'i',
);
const INCIDENT_ID = /\b(inc_[0-9a-hjkmnp-tv-z]{26})\b/;
/** "in shop", "in prod-eu", "in prod-eu/shop", "in namespace shop", "in cluster prod-eu". */
const SCOPE = new RegExp(
  `\\b(?:in|on|across|for)\\s+(?:the\\s+)?(?:(namespace|cluster)\\s+)?[\`'"]?(${NAME})(?:/(${NAME}))?[\`'"]?`,
  'gi',
);
/** Words that follow "kind" in English and are never a resource name. */
const NOT_NAMES = new Set(['is', 'are', 'was', 'the', 'a', 'an', 'in', 'of', 'that', 'this', 'for', 'with']);

/**
 * Reads what a question asks about: a resource (`shop/deploy/cart`, `deployment cart in shop`), an
 * incident id, or a namespace or cluster ("what is wrong in shop?", "in prod-eu/shop"), falling
 * back to what the conversation is pinned to. Cluster and namespace words count only when Sleuth
 * holds a cluster or namespace of that name.
 */
export function subjectOf(question: string, pin: ConversationPin, known: KnownNames): ChatSubject {
  const q = question.trim();
  const incident = INCIDENT_ID.exec(q);
  if (incident?.[1]) return { kind: 'incident', id: incident[1] };

  const clusterIn = (text: string): string | undefined => {
    for (const m of text.matchAll(SCOPE)) {
      const [, word, a = '', b] = m;
      if (b === undefined && known.clusters.includes(a) && word?.toLowerCase() !== 'namespace') return a;
      if (b !== undefined && known.clusters.includes(a)) return a;
    }
    return undefined;
  };

  const slashed = SLASHED.exec(q);
  if (slashed) {
    const prefix = (slashed[1] ?? '').split('/').filter((p) => p !== '');
    const kind = canonicalKind(slashed[2] ?? '');
    const name = slashed[3] ?? '';
    let cluster: string | undefined;
    let namespace: string | undefined;
    if (prefix.length === 2) [cluster, namespace] = prefix;
    else if (prefix.length === 1) {
      if (known.clusters.includes(prefix[0] as string) && !known.namespaces.includes(prefix[0] as string))
        cluster = prefix[0];
      else namespace = prefix[0];
    }
    cluster ??= clusterIn(q.slice((slashed.index ?? 0) + slashed[0].length)) ?? pin.resource?.cluster;
    return {
      kind: 'resource',
      arg: { ...(namespace ? { namespace } : {}), kind, name },
      ...(cluster ? { cluster } : {}),
    };
  }

  const worded = WORDED.exec(q);
  if (worded && !NOT_NAMES.has((worded[2] ?? '').toLowerCase())) {
    const kind = canonicalKind(worded[1] ?? '');
    const name = worded[2] ?? '';
    const where = worded[3];
    const namespace = where && !known.clusters.includes(where) ? where : undefined;
    const cluster =
      (where && known.clusters.includes(where) ? where : undefined) ?? clusterIn(q) ?? pin.resource?.cluster;
    return {
      kind: 'resource',
      arg: { ...(namespace ? { namespace } : {}), kind, name },
      ...(cluster ? { cluster } : {}),
    };
  }

  let cluster: string | undefined;
  let namespace: string | undefined;
  for (const m of q.matchAll(SCOPE)) {
    const [, word, a = '', b] = m;
    const w = word?.toLowerCase();
    if (b !== undefined) {
      if (known.clusters.includes(a)) [cluster, namespace] = [a, b];
      else if (known.clusters.includes(b)) [namespace, cluster] = [a, b];
      else if (known.namespaces.includes(a)) namespace = a;
      continue;
    }
    if (w !== 'namespace' && known.clusters.includes(a)) cluster ??= a;
    else if (w !== 'cluster' && known.namespaces.includes(a)) namespace ??= a;
  }
  if (cluster || namespace) return { kind: 'scope', cluster, namespace };

  if (pin.resource) {
    const r = pin.resource;
    return {
      kind: 'resource',
      arg: { ...(r.namespace ? { namespace: r.namespace } : {}), kind: r.kind, name: r.name },
      cluster: r.cluster,
    };
  }
  if (pin.incidentId) return { kind: 'incident', id: pin.incidentId };
  return { kind: 'none' };
}
