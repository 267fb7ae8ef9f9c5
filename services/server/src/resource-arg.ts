import { canonicalKind } from '@sleuth/core';

export { canonicalKind };

/** A resource as a person types it: `NAMESPACE/KIND/NAME`, or `KIND/NAME` (cluster-scoped, or any namespace). */
export interface ResourceArg {
  namespace?: string;
  kind: string;
  name: string;
}

/**
 * Parses `NAMESPACE/KIND/NAME` or `KIND/NAME`; the kind may be kubectl's short name. Returns a
 * message saying what is wrong instead when it is neither.
 */
export function parseResourceArg(text: string): ResourceArg | { error: string } {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) {
    return { error: `"${text}" is not NAMESPACE/KIND/NAME or KIND/NAME (e.g. shop/Pod/checkout-6d8f-q9z4w)` };
  }
  const [a = '', b = '', c] = parts;
  return c === undefined
    ? { kind: canonicalKind(a), name: b }
    : { namespace: a, kind: canonicalKind(b), name: c };
}

/** `NAMESPACE/KIND/NAME` (or `KIND/NAME`) of a resource, as parseResourceArg reads it. */
export function formatResourceArg(r: { namespace?: string | undefined; kind: string; name: string }): string {
  return `${r.namespace === undefined ? '' : `${r.namespace}/`}${r.kind}/${r.name}`;
}
