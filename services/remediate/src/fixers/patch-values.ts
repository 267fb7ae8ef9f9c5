import { decline, type Decline } from '../decline';
import { isHttpPath, isLabelKey, isLabelValue, isObjectName, isPortName } from '../edit/k8s-names';
import { isQuantity, parseQuantity, type ManifestPatch } from '@sleuth/core';
import { formatFieldPath, type PathSegment } from '../field-path';

/**
 * Guards on a patch's structured fields. The proposed value must be exactly what the field can
 * hold (a quantity, a port, an integer, a label map), so text that steered an analyzer or an
 * LLM (a log line saying "set the image to ...") cannot reach a manifest. Declines never echo
 * the rejected text.
 */

/** Proposed raises larger than this factor need a person. */
export const MAX_RAISE = 4;

function rejected(s: string): string {
  return `got ${s.length} characters that are not one`;
}

/** The kind is one the fixer edits and the name and namespace are Kubernetes names. */
export function checkTarget(
  patch: ManifestPatch,
  kinds: readonly string[],
  fixer: string,
): Decline | undefined {
  if (!kinds.includes(patch.kind))
    return decline(
      'invalid-patch',
      `the ${fixer} fixer changes ${kinds.join(', ')} manifests, not this kind`,
    );
  if (!isObjectName(patch.name) || (patch.namespace !== undefined && !isObjectName(patch.namespace)))
    return decline('invalid-patch', 'the patch names an object that is not a valid Kubernetes name');
  return undefined;
}

/** The field matches the shape the fixer edits (checked on the parsed path's text form). */
export function checkField(field: readonly PathSegment[], shape: RegExp, what: string): Decline | undefined {
  return shape.test(formatFieldPath(field))
    ? undefined
    : decline('invalid-patch', `the patch's field ${formatFieldPath(field)} is not ${what}`);
}

/** A quantity raise: both ends quantities, `to` above `from` and at most MAX_RAISE times it. */
export function checkRaise(patch: ManifestPatch, what: string): Decline | undefined {
  if (!isQuantity(patch.to))
    return decline(
      'invalid-patch',
      `the proposed ${what} is not a Kubernetes quantity (${rejected(patch.to)}); nothing was changed`,
    );
  const from = parseQuantity(patch.from);
  const to = parseQuantity(patch.to) ?? 0;
  if (from === undefined)
    return decline('invalid-patch', `the current ${what} in the patch is not a quantity`);
  if (to <= from)
    return decline('invalid-patch', `the proposed ${what} ${patch.to} is not above ${patch.from}`);
  if (to > from * MAX_RAISE)
    return decline(
      'needs-person',
      `raising the ${what} from ${patch.from} to ${patch.to} is more than ${MAX_RAISE}×; a person should size it`,
    );
  return undefined;
}

/** A port: a number 1..65535 or an IANA service name (`http`); numbers only when `namesAllowed` is false. */
export function portValue(text: string, what: string, namesAllowed = true): number | string | Decline {
  if (/^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65535) return Number(text);
  if (namesAllowed && isPortName(text)) return text;
  return decline(
    'invalid-patch',
    `the proposed ${what} is not a port ${namesAllowed ? 'number or name' : 'number'} (${rejected(text)}); nothing was changed`,
  );
}

export function httpPathValue(text: string): string | Decline {
  return isHttpPath(text)
    ? text
    : decline(
        'invalid-patch',
        `the proposed probe path is not an HTTP path (${rejected(text)}); nothing was changed`,
      );
}

/** An integer in [min, max]. */
export function intValue(text: string, what: string, min: number, max: number): number | Decline {
  const n = /^(0|[1-9][0-9]{0,8})$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= min && n <= max
    ? n
    : decline(
        'invalid-patch',
        `the proposed ${what} is not an integer from ${min} to ${max} (${rejected(text)}); nothing was changed`,
      );
}

/** A label map written `key=value,key2=value2` (what `selectorText` prints), or undefined. */
export function labelMap(text: string): Record<string, string> | undefined {
  if (text.length > 2000) return undefined;
  const out: Record<string, string> = {};
  for (const term of text.split(',')) {
    const eq = term.indexOf('=');
    if (eq <= 0) return undefined;
    const k = term.slice(0, eq);
    const v = term.slice(eq + 1);
    if (!isLabelKey(k) || !isLabelValue(v) || k in out) return undefined;
    out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One line of an analyzer's rationale, only from the rule engine (its texts are templates). */
export function analyzerRationale(patch: ManifestPatch, origin: 'rules' | 'llm'): string {
  if (origin !== 'rules') return '';
  let text = '';
  let inControl = false;
  for (const ch of patch.rationale) {
    const code = ch.charCodeAt(0);
    // A run of control characters (newlines, tabs, escapes) becomes one space.
    const control = code < 0x20 || code === 0x7f;
    if (!control) text += ch;
    else if (!inControl) text += ' ';
    inControl = control;
  }
  const line = text.trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** An image reference split into its parts: `ghcr.io/acme/cart:1.4.2`, `redis@sha256:…`. */
export interface ImageReference {
  /** Registry host (optional) and path: `ghcr.io/acme/cart`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]{1,5})?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** The distribution reference grammar (what `docker pull` takes), digests limited to sha256/sha512. */
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}))?$`,
);

/** The parts of an image reference, or undefined for anything that is not exactly one. */
export function parseImageReference(text: string): ImageReference | undefined {
  if (text.length > 400) return undefined;
  const m = IMAGE_REFERENCE.exec(text);
  const repository = m?.[1];
  if (!m || repository === undefined || repository.length > 255) return undefined;
  return {
    repository,
    ...(m[2] !== undefined ? { tag: m[2] } : {}),
    ...(m[3] !== undefined ? { digest: m[3] } : {}),
  };
}

/** A container image reference, pinned (a tag or a digest) when `pinned`. */
export function imageValue(text: string, what: string, pinned: boolean): ImageReference | Decline {
  const ref = parseImageReference(text);
  if (!ref)
    return decline(
      'invalid-patch',
      `the ${what} is not an image reference (${rejected(text)}); nothing was changed`,
    );
  if (pinned && ref.tag === undefined && ref.digest === undefined)
    return decline(
      'invalid-patch',
      `the ${what} ${text} names no tag or digest; Sleuth only rolls back to a pinned version`,
    );
  return ref;
}
