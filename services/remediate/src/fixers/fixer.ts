import { FixProposal, type ManifestPatch, type RootCause } from '@sleuth/core';
import { z } from 'zod';
import type { Decline } from '../decline';
import type { PathSegment } from '../field-path';
import type { LocatedManifest } from '../locate/locate';

/**
 * A fix ready for review: the core `FixProposal` (repo, file path, unified diff, rationale,
 * risk, rollback, verification) and what the git step and a pull request need.
 */
export const RemediationProposal = FixProposal.extend({
  fixer: z.string(),
  failureMode: z.string(),
  target: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }),
  /** The patch's field, and where the edit went when that differs (an overlay patch, `images:`). */
  field: z.string(),
  editedField: z.string(),
  from: z.string(),
  to: z.string(),
  /** One line: the commit's subject and the pull request's title. */
  title: z.string(),
  /** For the branch name `sleuth/<incident>-<slug>`. */
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  /** Read-only kubectl commands that show the fix took effect (`verification` joins them). */
  commands: z.array(z.string()),
  /** Where the value was defined ("overlays/prod/memory-patch.yaml (a patch applied by ...)"). */
  definedIn: z.string(),
  /** The whole edited file. */
  content: z.string(),
});
export type RemediationProposal = z.infer<typeof RemediationProposal>;

/** What a fixer works from: structured fields only, never the root cause's free text. */
export interface FixerInput {
  rootCause: RootCause;
  patch: ManifestPatch;
  /** `patch.field`, parsed. */
  field: PathSegment[];
  manifest: LocatedManifest;
  /** Shown in FixProposal.repo: the repository's URL or folder. */
  repo: string;
}

/**
 * Turns one kind of root cause into a minimal manifest change, or declines with a reason. One
 * file per fixer; adding one is a file and an entry in FIXERS.
 */
export interface Fixer {
  id: string;
  failureModes: readonly string[];
  /** Checks the patch's kind, name, field and values before any file is read. */
  accepts(patch: ManifestPatch, field: PathSegment[]): Decline | undefined;
  propose(input: FixerInput): RemediationProposal | Decline;
}
