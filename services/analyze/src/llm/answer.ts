import { z } from 'zod';
import type { ProposedFix, RcaAnswer, ResourceRef } from '@sleuth/core';
import type { EvidenceRegistry } from './evidence';

/** `cluster/namespace/Kind/name` (namespace `-` or absent for cluster-scoped), as the prompts ask. */
const RefText = z.string().min(3).max(600);

/** The JSON object the answer-format prompt asks the model for. */
export const ModelAnswer = z.object({
  summary: z.string().min(1).max(8000),
  rootCause: z
    .object({
      resource: RefText.nullable(),
      failureMode: z.string().min(1).max(200),
      hypothesis: z.string().min(1).max(4000),
    })
    .nullable(),
  confidence: z.number().min(0).max(1),
  evidenceIds: z.array(z.string().min(1).max(600)).max(50),
  nextSteps: z.array(z.string().min(1).max(2000)).max(20),
  proposedFix: z
    .object({
      resource: RefText,
      field: z.string().min(1).max(500),
      from: z.string().max(2000),
      to: z.string().min(1).max(2000),
      rationale: z.string().max(4000),
    })
    .nullable(),
});
export type ModelAnswer = z.infer<typeof ModelAnswer>;

/** Reads `cluster/namespace/Kind/name` (or `cluster/Kind/name` for a cluster-scoped object). */
export function parseRefText(text: string): ResourceRef | undefined {
  const parts = text.trim().split('/');
  if (parts.some((p) => p.length === 0 || p.length > 253)) return undefined;
  if (parts.length === 4) {
    const [cluster, namespace, kind, name] = parts as [string, string, string, string];
    return namespace === '-' ? { cluster, kind, name } : { cluster, namespace, kind, name };
  }
  if (parts.length === 3) {
    const [cluster, kind, name] = parts as [string, string, string];
    return { cluster, kind, name };
  }
  return undefined;
}

/**
 * The JSON object in a model's final message: the whole text, or the text inside a ```json fence,
 * or from the first `{` to the last `}` (models wrap answers in prose despite being asked not to).
 */
export function extractJson(text: string): unknown {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      return JSON.parse(c) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/**
 * Commands and changes no answer of Sleuth's may propose, whatever the evidence (or a log line
 * posing as instructions) says: deleting namespaces or workloads, wiping data, scaling to zero,
 * disabling protections. A fix is a reviewed one-field change for the evidenced cause, never this.
 */
const UNSAFE: readonly [RegExp, string][] = [
  [/\b(?:kubectl|oc)\s+(?:\S+\s+)*?(?:delete|drain|replace\s+--force)\b/i, 'a kubectl delete or drain'],
  [
    /\b(?:delet(?:e|es|ing|ion)|remov(?:e|es|ing|al)|destroy(?:s|ing)?|drop(?:s|ping)?|wip(?:e|es|ing)|purg(?:e|es|ing))\b.{0,40}?\b(?:namespaces?|ns|projects?|clusters?|deployments?|statefulsets?|daemonsets?|volumes?|pvcs?|pvs?|databases?|tables?|everything|all)\b/i,
    'deleting resources',
  ],
  [/\bhelm\s+(?:uninstall|delete)\b/i, 'a helm uninstall'],
  [/\brm\s+-[a-z]*r[a-z]*f?\b/i, 'rm -r'],
  [/\bfind\b.{0,200}\s-delete\b/i, 'find -delete'],
  [/\bdrop\s+(?:database|table|schema)\b/i, 'dropping data'],
  [/--replicas[= ]0+\b|"?(?:replicas|minReplicas|maxReplicas)"?\s*[:=]\s*"?0+\b/i, 'scaling to zero'],
  [/\bscale\b.{0,80}\bto\s+(?:0|zero)\b/i, 'scaling to zero'],
  [/\b(?:git\s+push\s+(?:\S+\s+)*--force|merge\b.{0,30}\bwithout review)\b/i, 'bypassing review'],
];

/**
 * Manifest fields a proposed fix may not touch, whatever the evidence: they widen privileges or
 * change what runs, which an injected log line could ask for and a reviewer could miss.
 */
const GUARDED_FIELD =
  /securityContext|privileged|capabilities|hostNetwork|hostPID|hostIPC|hostPath|serviceAccount|automountServiceAccountToken|\bcommand\b|\bargs\b|subjects|roleRef|rules|ingress|egress|podSelector|finalizers|deletionTimestamp|ownerReferences/i;
/** Kinds a fix may not change: access control, network policy, namespaces, secrets. */
const GUARDED_KIND =
  /^(?:namespace|secret|serviceaccount|role|rolebinding|clusterrole|clusterrolebinding|networkpolicy|mutatingwebhookconfiguration|validatingwebhookconfiguration|customresourcedefinition)$/i;

/** The repository of an image reference (`reg:5000/shop/cart:1.2@sha256:…` → `reg:5000/shop/cart`). */
function imageRepository(image: string): string {
  const noDigest = image.trim().split('@')[0] ?? '';
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Why a proposed one-field fix is refused, or undefined when a reviewer may be shown it. */
function unsafeFix(
  f: { field: string; from: string; to: string; rationale: string },
  kind: string,
): string | undefined {
  if (GUARDED_KIND.test(kind)) return `a change to a ${kind}`;
  if (GUARDED_FIELD.test(f.field)) return `a change to ${f.field}`;
  if (/(?:^|\.)(?:replicas|minReplicas|maxReplicas)$/i.test(f.field) && /^\s*0+\s*$/.test(f.to))
    return 'scaling to zero';
  if (/(?:^|\.|\])image$/i.test(f.field) && imageRepository(f.from) !== imageRepository(f.to))
    return `an image from another repository (${imageRepository(f.to)})`;
  return unsafeReason(`${f.field} ${f.to} ${f.rationale}`);
}

/** Why a step or fix is refused, or undefined when it is acceptable. */
export function unsafeReason(text: string): string | undefined {
  for (const [re, what] of UNSAFE) if (re.test(text)) return what;
  return undefined;
}

export interface CheckedAnswer {
  answer: RcaAnswer;
  /** What was dropped from the model's answer and why (unsafe steps, a refused fix). */
  notes: string[];
}

/**
 * Validates a model's final message against {@link ModelAnswer} and the investigation's evidence:
 * every cited id must be one a tool returned (no invented citations), a named root cause needs at
 * least one, and the resources must parse. Problems come back as a list for the repair prompt.
 * Unsafe next steps and fixes are not errors to repair: they are dropped, with a note.
 */
export function checkAnswer(
  text: string,
  evidence: EvidenceRegistry,
): { ok: true; value: CheckedAnswer } | { ok: false; errors: string[] } {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, errors: ['the reply is not a JSON object'] };
  const parsed = ModelAnswer.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  const m = parsed.data;
  const errors: string[] = [];
  const unknown = m.evidenceIds.filter((id) => !evidence.has(id));
  if (unknown.length > 0)
    errors.push(
      `evidenceIds: ${unknown.map((id) => JSON.stringify(id)).join(', ')} ${unknown.length === 1 ? 'was' : 'were'} not returned by any tool; cite only evidenceId values from tool results`,
    );
  if (m.rootCause && m.evidenceIds.length === 0)
    errors.push('evidenceIds: a root cause needs at least one evidence id that supports it');
  const causeRef = m.rootCause?.resource ? parseRefText(m.rootCause.resource) : undefined;
  if (m.rootCause?.resource && !causeRef)
    errors.push(`rootCause.resource: "${m.rootCause.resource}" is not cluster/namespace/Kind/name`);
  const fixRef = m.proposedFix ? parseRefText(m.proposedFix.resource) : undefined;
  if (m.proposedFix && !fixRef)
    errors.push(`proposedFix.resource: "${m.proposedFix.resource}" is not cluster/namespace/Kind/name`);
  if (errors.length > 0) return { ok: false, errors };

  const notes: string[] = [];
  // The prose may quote such a command (an injected log line is itself a finding to report), so it
  // is kept, with a note the UI shows beside it.
  for (const [name, text] of [
    ['summary', m.summary],
    ['hypothesis', m.rootCause?.hypothesis ?? ''],
  ] as const) {
    const why = unsafeReason(text);
    if (why) notes.push(`the ${name} mentions ${why}: Sleuth does not recommend it`);
  }
  const nextSteps = m.nextSteps.filter((s) => {
    const why = unsafeReason(s);
    if (why) notes.push(`dropped a next step proposing ${why}: "${s.slice(0, 200)}"`);
    return !why;
  });
  let proposedFix: ProposedFix | null = null;
  if (m.proposedFix && fixRef) {
    const f = m.proposedFix;
    const sameNamespace =
      !causeRef || (fixRef.cluster === causeRef.cluster && fixRef.namespace === causeRef.namespace);
    const why =
      unsafeFix(f, fixRef.kind) ??
      (sameNamespace ? undefined : `a change outside the root cause's namespace (${f.resource})`);
    if (why) notes.push(`refused the proposed fix (${why}) on ${f.resource}`);
    else proposedFix = { resource: fixRef, field: f.field, from: f.from, to: f.to, rationale: f.rationale };
  }
  return {
    ok: true,
    value: {
      answer: {
        summary: m.summary,
        rootCause: m.rootCause
          ? {
              resource: causeRef ?? null,
              failureMode: m.rootCause.failureMode,
              hypothesis: m.rootCause.hypothesis,
            }
          : null,
        confidence: m.confidence,
        evidence: m.evidenceIds.map((id) => evidence.get(id)).filter((e) => e !== undefined),
        nextSteps,
        proposedFix,
      },
      notes,
    },
  };
}

/**
 * Follows a streamed final answer and yields the growing `summary` string as it is written, so a
 * person sees prose, not JSON, arrive token by token. Feed it each text delta; it returns the new
 * characters of the decoded summary (empty until the field starts, and after it ends).
 */
export class SummaryStreamer {
  private buf = '';
  private start = -1;
  private emitted = 0;
  private done = false;

  feed(delta: string): string {
    if (this.done) return '';
    this.buf += delta;
    if (this.start < 0) {
      const m = /"summary"\s*:\s*"/.exec(this.buf);
      if (!m) return '';
      this.start = m.index + m[0].length;
    }
    // Decode up to the closing quote or the last complete escape.
    let out = '';
    let i = this.start;
    while (i < this.buf.length) {
      const ch = this.buf[i] as string;
      if (ch === '"') {
        this.done = true;
        break;
      }
      if (ch === '\\') {
        const next = this.buf[i + 1];
        if (next === undefined) break;
        if (next === 'u') {
          const hex = this.buf.slice(i + 2, i + 6);
          if (hex.length < 4) break;
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
        i += 2;
        continue;
      }
      out += ch;
      i++;
    }
    const fresh = out.slice(this.emitted);
    this.emitted = out.length;
    return fresh;
  }
}
