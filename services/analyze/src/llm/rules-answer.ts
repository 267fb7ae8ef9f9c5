import { refKey, type ProposedFix, type RcaAnswer, type RootCause } from '@sleuth/core';
import type { CitedEvidence, EvidenceRegistry } from './evidence';

/** Candidates listed after the first in a rules answer's summary. */
const MAX_OTHERS = 3;
const MAX_EVIDENCE = 12;

/**
 * The deterministic engine's ranked root causes as an answer: the first cause with its evidence,
 * steps, confirming commands and one-field fix, and the runners-up named in the summary. This is
 * what every question gets without an LLM, and what an LLM answer falls back to. Every piece of
 * evidence is registered, so its citations resolve the same way an LLM answer's do.
 */
export function rulesAnswer(
  causes: readonly RootCause[],
  evidence: EvidenceRegistry,
  subject: string,
): RcaAnswer {
  const ranked = [...causes].sort((a, b) => a.rank - b.rank);
  const top = ranked[0];
  if (!top) {
    return {
      summary: `The analyzers found nothing wrong with ${subject}: no failing pods, events, rollouts or anomalies that name a cause.`,
      rootCause: null,
      confidence: 0,
      evidence: [],
      nextSteps: [],
      proposedFix: null,
    };
  }
  const cited: CitedEvidence[] = [];
  for (const rc of ranked.slice(0, 1 + MAX_OTHERS)) {
    for (const e of rc.evidence) {
      if (cited.length >= MAX_EVIDENCE) break;
      const id = evidence.add(e.signal, e.summary);
      const item = evidence.get(id);
      if (item && !cited.some((c) => c.id === id)) cited.push(item);
    }
  }
  const others = ranked
    .slice(1, 1 + MAX_OTHERS)
    .map(
      (rc) =>
        `${rc.failureMode} on ${rc.resource.kind} ${rc.resource.name} (${Math.round(rc.confidence * 100)}%)`,
    );
  const summary = [
    `${top.hypothesis} (${top.failureMode} on ${top.resource.kind} ${top.resource.name}, confidence ${Math.round(top.confidence * 100)}%).`,
    others.length > 0 ? `Also considered: ${others.join('; ')}.` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  const r = top.remediation;
  const nextSteps = [...(r?.steps ?? []), ...(r?.commands ?? []).map((c) => `Confirm: ${c}`)];
  let proposedFix: ProposedFix | null = null;
  if (r?.patch) {
    const p = r.patch;
    proposedFix = {
      resource: {
        cluster: top.resource.cluster,
        ...(p.namespace ? { namespace: p.namespace } : {}),
        kind: p.kind,
        name: p.name,
      },
      field: p.field,
      from: p.from,
      to: p.to,
      rationale: p.rationale,
    };
  }
  return {
    summary,
    rootCause: { resource: top.resource, failureMode: top.failureMode, hypothesis: top.hypothesis },
    confidence: top.confidence,
    evidence: cited,
    nextSteps,
    proposedFix,
  };
}

/** The ranked causes as the text the investigate prompt shows the model, each with its evidence ids. */
export function findingsText(causes: readonly RootCause[], evidence: EvidenceRegistry): string {
  if (causes.length === 0) return 'The deterministic analyzers found no cause.';
  return [...causes]
    .sort((a, b) => a.rank - b.rank)
    .slice(0, 5)
    .map((rc) => {
      const ids = rc.evidence.map((e) => `${evidence.add(e.signal, e.summary)} (${e.summary.slice(0, 200)})`);
      return [
        `#${rc.rank} ${rc.failureMode} on ${refKey(rc.resource)}, confidence ${rc.confidence.toFixed(2)}`,
        `  hypothesis: ${rc.hypothesis}`,
        ...ids.map((i) => `  evidence: ${i}`),
      ].join('\n');
    })
    .join('\n');
}
