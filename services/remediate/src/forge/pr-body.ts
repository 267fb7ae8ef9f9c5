import type { RootCause } from '@sleuth/core';
import type { RemediationProposal } from '../fixers/fixer';

export interface PullRequestText {
  incidentId: string;
  /** The incident's title, as Sleuth shows it. */
  incidentTitle?: string;
  /** Sleuth's page for the incident, linked from the evidence. */
  incidentUrl?: string;
  rootCause: RootCause;
  proposal: RemediationProposal;
}

/** The labels every Sleuth pull request carries. */
export const FIX_LABELS = ['sleuth', 'automated-fix'] as const;

/**
 * Text from logs, events or an LLM as plain markdown text on one line, for GitHub and GitLab
 * alike: `<` and `>` become entities so no HTML renders from it, and markdown's active characters
 * are backslash-escaped so it cannot add links, images, headings, math or emphasis. The escapes
 * also cover every reference character of GitLab (`@user`, `#1`, `!1`, `~label`, `%milestone`,
 * `$snippet`, `&epic`, `^alert`), which GitLab leaves as text only when backslash-escaped, so the
 * text mentions nobody and cross-references nothing. `&` is escaped rather than made `&amp;` so an
 * entity in the text shows as written.
 */
export function plainText(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/([\\`*_[\]()#!|~@$%^&])/g, '\\$1')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

/**
 * Sleuth's own multi-line text (why, risk, rollback) as markdown: `escapeHtml`, and a `/` that
 * starts a line is escaped, because GitLab runs such a line as a quick action (`/merge`, `/close`).
 */
function paragraph(s: string): string {
  return escapeHtml(s).replace(/^([ \t]*)\//gm, '$1\\/');
}

/** `&`, `<` and `>` as entities: GitHub and GitLab render no HTML from the text. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A code span that holds `s` whatever backticks it contains: GitHub and GitLab render no HTML and
 * find no references inside.
 */
function codeSpan(s: string): string {
  const one = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(one) ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** A fenced block long enough that the diff cannot close it early. */
function fenced(lang: string, s: string): string {
  const longest = Math.max(2, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${s.endsWith('\n') ? s : `${s}\n`}${fence}`;
}

function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:'
      ? u.href.replace(/[()\s<>]/g, encodeURIComponent)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `fix(<namespace>/<name>): <what>`, from the proposal's title. */
export function pullRequestTitle(p: RemediationProposal): string {
  const scope = p.target.namespace ? `${p.target.namespace}/${p.target.name}` : p.target.name;
  const what = p.title.charAt(0).toLowerCase() + p.title.slice(1);
  return `fix(${scope}): ${what}`;
}

/**
 * The pull request body: diagnosis, evidence, the change with its diff, why, risk, rollback, how
 * to verify, and a footer. Free text from the diagnosis (hypothesis, evidence, incident title) is
 * escaped with `plainText` or put in code spans; the fixer's own text is built from validated
 * fields only.
 */
export function pullRequestBody(t: PullRequestText): string {
  const { proposal: p, rootCause: rc } = t;
  const r = rc.resource;
  const resource = `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.cluster ? ` (cluster ${r.cluster})` : ''}`;
  const url = safeUrl(t.incidentUrl);
  const evidence = rc.evidence.map((e) => `- ${codeSpan(e.summary)}`);
  if (evidence.length === 0) evidence.push('- No evidence summaries were recorded for this root cause.');
  if (url) evidence.push(`- The incident in Sleuth: [${codeSpan(t.incidentId)}](${url})`);
  // definedIn is "PATH (document 2)" or "PATH (a patch applied by ...)": the part after the path.
  const where = (p.definedIn.startsWith(p.path) ? p.definedIn.slice(p.path.length) : p.definedIn).trim();
  const change = [
    `- File: ${codeSpan(p.path)}${where ? ` ${escapeHtml(where)}` : ''}`,
    `- Field: ${codeSpan(p.editedField)}`,
    `- From ${codeSpan(p.from)} → to ${codeSpan(p.to)}`,
  ];
  return [
    '## Diagnosis',
    '',
    ...(t.incidentTitle ? [`**Incident:** ${plainText(t.incidentTitle)}`, ''] : []),
    `**Root cause (${plainText(rc.failureMode)}):** ${plainText(rc.hypothesis)}`,
    '',
    `**Confidence:** ${Math.round(rc.confidence * 100)}%`,
    '',
    `**Resource:** ${codeSpan(resource)}`,
    '',
    '## Evidence',
    '',
    ...evidence,
    '',
    '## Change',
    '',
    ...change,
    '',
    fenced('diff', p.patch),
    '',
    '## Why',
    '',
    paragraph(p.rationale),
    '',
    '## Risk',
    '',
    paragraph(p.risk),
    '',
    '## Rollback',
    '',
    paragraph(p.rollback),
    '',
    '## How to verify',
    '',
    fenced('sh', p.commands.join('\n')),
    '',
    '---',
    '',
    `Opened by Sleuth for incident ${codeSpan(t.incidentId)}. Sleuth never merges: a person reviews and merges this pull request, and the GitOps controller applies it.`,
    '',
  ].join('\n');
}
