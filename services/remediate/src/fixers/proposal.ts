import { decline, isDecline, type Decline } from '../decline';
import { unifiedDiff } from '../edit/unified-diff';
import { introducedProblems } from '../edit/kube-schema';
import { validateManifest } from '../edit/validate';
import { applyFieldEdits, type FieldEdit } from '../edit/yaml-edit';
import { formatFieldPath, scalarText } from '../field-path';
import type { FixerInput, RemediationProposal } from './fixer';

/** What one fixer decided; buildProposal turns it into a checked diff. */
export interface ProposalSpec {
  fixer: string;
  edits: FieldEdit[];
  /** The manifest's current value (as the cluster gets it from the repo). */
  current: unknown;
  /** Whether a manifest value equals a patch value (`1Gi` = `1024Mi` for quantities). */
  same: (manifest: unknown, patchValue: string) => boolean;
  title: string;
  slug: string;
  rationale: string;
  risk: string;
  rollback: string;
  commands: string[];
}

function shown(v: unknown): string {
  if (v === undefined || v === null) return 'no value';
  if (typeof v === 'object') return JSON.stringify(v).slice(0, 120);
  return scalarText(v) ?? '?';
}

/** Lower-case words joined by dashes, at most 48 characters: for branch names. */
export function slugOf(...parts: string[]): string {
  const s = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (s.slice(0, 48).replace(/-+$/, '') || 'fix').replace(/^-+/, '');
}

/** The edits as written where the value is set: a Helm image's tag rather than `repo:tag`. */
function sourceEdits(input: FixerInput, edits: FieldEdit[]): FieldEdit[] | Decline {
  const { manifest } = input;
  const at = formatFieldPath(manifest.fieldPath);
  const out: FieldEdit[] = [];
  for (const e of edits) {
    const v =
      e.op === 'set' && manifest.toSourceValue && formatFieldPath(e.path) === at
        ? manifest.toSourceValue(e.value)
        : undefined;
    if (isDecline(v)) return v;
    out.push(v === undefined || e.op !== 'set' ? e : { ...e, value: v });
  }
  return out;
}

/**
 * Checks the manifest agrees with the live object (`from`), applies the edits, checks the result
 * parses and validates, and renders the diff. The repo must say what the cluster runs: when it
 * does not, someone changed one without the other, and a fix on top would hide that.
 */
export function buildProposal(input: FixerInput, spec: ProposalSpec): RemediationProposal | Decline {
  const { patch, manifest } = input;
  const holder = manifest.valueSaidBy ?? 'the manifest';
  if (spec.same(spec.current, patch.to) && !spec.same(spec.current, patch.from))
    return decline(
      'already-applied',
      `${holder} already says ${shown(spec.current)} but the live object has ${patch.from}: the change is in the repo and has not reached the cluster yet`,
    );
  if (!spec.same(spec.current, patch.from)) {
    const says =
      spec.current === undefined
        ? `${holder} does not set ${formatFieldPath(input.field)}`
        : `${holder} says ${shown(spec.current)}`;
    return decline(
      'drift',
      `${says}, the live object ${patch.from}: the repo and the cluster have drifted; reconcile them before Sleuth proposes a change`,
    );
  }
  const edits = sourceEdits(input, spec.edits);
  if (isDecline(edits)) return edits;
  const edited = applyFieldEdits(
    { text: manifest.text, documentIndex: manifest.documentIndex, objectPath: manifest.objectPath },
    edits,
  );
  if (isDecline(edited)) return edited;
  if (manifest.checkEdit) {
    const issues = manifest.checkEdit(edited.text, spec.edits);
    if (issues.length > 0)
      return decline(
        'invalid-result',
        `the edited values would not give the ${patch.kind} what the fix needs (${issues.slice(0, 3).join('; ')}); nothing was changed`,
      );
  } else if (manifest.via !== 'kustomize-images') {
    const v = validateManifest(edited.after, { partial: manifest.via === 'kustomize-patch' });
    if (!v.ok)
      return decline(
        'invalid-result',
        `the edited ${patch.kind} would not be valid (${v.issues.slice(0, 3).join('; ')}); nothing was changed`,
      );
    const schema = introducedProblems(edited.before, edited.after, {
      partial: manifest.via === 'kustomize-patch',
    });
    if (schema.length > 0)
      return decline(
        'invalid-result',
        `the edited ${patch.kind} would not match the Kubernetes schema of its kind (${schema.slice(0, 3).join('; ')}); nothing was changed`,
      );
  }
  const diff = unifiedDiff(manifest.file, manifest.text, edited.text);
  if (diff === '') return decline('already-applied', `${manifest.file} already says ${patch.to}`);
  const editedField = formatFieldPath(manifest.fieldPath);
  return {
    repo: input.repo,
    path: manifest.file,
    patch: diff,
    rationale: spec.rationale,
    risk: spec.risk,
    rollback: spec.rollback,
    verification: spec.commands.join('\n'),
    fixer: spec.fixer,
    failureMode: input.rootCause.failureMode,
    target: {
      kind: patch.kind,
      name: patch.name,
      ...(patch.namespace ? { namespace: patch.namespace } : {}),
    },
    field: formatFieldPath(input.field),
    editedField,
    from: patch.from,
    to: patch.to,
    title: spec.title,
    slug: spec.slug,
    commands: spec.commands,
    definedIn: manifest.describe,
    content: edited.text,
  };
}

/** The rollback every fixer offers: a revert, which the GitOps controller syncs like any change. */
export function revertRollback(what: string): string {
  return `Revert the commit (git revert) and let the GitOps controller sync it; ${what}`;
}
