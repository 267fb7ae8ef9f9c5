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
  if (parts.some((p) => p.length === 0)) return undefined;
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
  [/\bkubectl\s+(?:\S+\s+)*?delete\b/i, 'a kubectl delete'],
  [
    /\b(?:delet(?:e|es|ing|ion)|remov(?:e|es|ing|al)|destroy(?:s|ing)?|drop(?:s|ping)?|wip(?:e|es|ing)|purg(?:e|es|ing))\b[^.\n]{0,40}\b(?:namespaces?|ns|clusters?|deployments?|statefulsets?|volumes?|pvcs?|databases?|tables?|everything|all)\b/i,
    'deleting resources',
  ],
  [/\bhelm\s+(?:uninstall|delete)\b/i, 'a helm uninstall'],
  [/\brm\s+-[a-z]*r[a-z]*f?\b/i, 'rm -r'],
  [/\bdrop\s+(?:database|table|schema)\b/i, 'dropping data'],
  [/\bscale\b[^.\n]{0,60}--replicas[= ]0\b/i, 'scaling to zero'],
  [/\b(?:git\s+push\s+(?:\S+\s+)*--force|merge\b[^.\n]{0,30}\bwithout review)\b/i, 'bypassing review'],
];

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
  const nextSteps = m.nextSteps.filter((s) => {
    const why = unsafeReason(s);
    if (why) notes.push(`dropped a next step proposing ${why}: "${s.slice(0, 200)}"`);
    return !why;
  });
  let proposedFix: ProposedFix | null = null;
  if (m.proposedFix && fixRef) {
    const f = m.proposedFix;
    const why =
      unsafeReason(`${f.field} ${f.to} ${f.rationale}`) ??
      (fixRef.kind.toLowerCase() === 'namespace' ? 'a change to a Namespace' : undefined) ??
      (/deletionTimestamp|finalizers/i.test(f.field) ? 'deleting the object' : undefined);
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
