import { RootCause } from '@sleuth/core';
import { decline, isDecline, type Decline } from './decline';
import { parseFieldPath } from './field-path';
import type { RemediationProposal } from './fixers/fixer';
import { fixerFor } from './fixers/registry';
import { LocalGitProvider, type BranchResult, type GitRepoConfigInput } from './git/local-provider';
import { locateManifest } from './locate/locate';

/** Where the manifests are: a working tree to read, or a repository to clone/fetch into `workDir`. */
export type RepoSource =
  { repoDir: string; paths?: readonly string[] } | { repo: GitRepoConfigInput; workDir: string };

export type ProposeFixInput = RepoSource & {
  incidentId: string;
  rootCause: RootCause;
};

const FAILURE_MODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

async function proposeIn(
  dir: string,
  label: string,
  paths: readonly string[],
  rootCause: unknown,
): Promise<RemediationProposal | Decline> {
  const parsed = RootCause.safeParse(rootCause);
  if (!parsed.success) return decline('invalid-patch', 'the root cause does not match the RootCause schema');
  const rc = parsed.data;
  const mode =
    FAILURE_MODE.test(rc.failureMode) && rc.failureMode.length <= 63 ? rc.failureMode : 'this failure mode';
  const patch = rc.remediation?.patch;
  if (!patch) return decline('no-patch', `the analyzer proposes no manifest change for ${mode}`);
  const fixer = fixerFor(rc.failureMode);
  if (!fixer) return decline('no-fixer', `no fixer handles ${mode} yet`);
  const field = parseFieldPath(patch.field);
  if ('error' in field)
    return decline('invalid-patch', `the patch's field is not a path Sleuth edits: ${field.error}`);
  const bad = fixer.accepts(patch, field);
  if (bad) return bad;
  const manifest = await locateManifest(
    dir,
    { kind: patch.kind, name: patch.name, namespace: patch.namespace },
    { field, paths },
  );
  if (isDecline(manifest)) return manifest;
  return fixer.propose({ rootCause: rc, patch, field, manifest, repo: label });
}

/**
 * The fix for one root cause: its analyzer's `remediation.patch` located in the GitOps
 * repository, checked against the manifest, applied with comments and formatting kept, validated,
 * and rendered as a unified diff with rationale, risk, rollback and verification. Or a decline
 * saying why not. Reads the repository; changes nothing (with `repo`, it clones or fetches
 * into `workDir`).
 */
export async function proposeFix(input: ProposeFixInput): Promise<RemediationProposal | Decline> {
  if ('repoDir' in input) return proposeIn(input.repoDir, input.repoDir, input.paths ?? [], input.rootCause);
  const provider = new LocalGitProvider(input.repo, input.workDir);
  await provider.sync();
  return proposeIn(input.workDir, provider.label, provider.config.paths, input.rootCause);
}

export interface OpenFixBranchInput {
  incidentId: string;
  rootCause: RootCause;
  repo: GitRepoConfigInput;
  /** Sleuth's working clone of the repository (created on the first run). */
  workDir: string;
}

export type FixBranch = BranchResult & { proposal: RemediationProposal };

/** The commit message body: why, what could go wrong, how to undo it, how to check it worked. */
export function commitBody(p: RemediationProposal): string {
  return [
    p.rationale,
    `Changes ${p.editedField} in ${p.definedIn}.`,
    `Risk: ${p.risk}`,
    `Rollback: ${p.rollback}`,
    `Verify:\n${p.commands.map((c) => `  ${c}`).join('\n')}`,
  ].join('\n\n');
}

/**
 * Proposes the fix against the default branch's head and puts it on the incident's branch
 * `sleuth/<incident-id>-<slug>` on the remote (the local provider: no forge API). The default
 * branch is never changed; a second run for the same incident adds a commit to the same branch.
 */
export async function openFixBranch(input: OpenFixBranchInput): Promise<FixBranch | Decline> {
  const provider = new LocalGitProvider(input.repo, input.workDir);
  await provider.sync();
  const proposal = await proposeIn(input.workDir, provider.label, provider.config.paths, input.rootCause);
  if (isDecline(proposal)) return proposal;
  const pushed = await provider.pushFix({
    incidentId: input.incidentId,
    slug: proposal.slug,
    title: proposal.title,
    body: commitBody(proposal),
    files: [{ path: proposal.path, content: proposal.content }],
  });
  return isDecline(pushed) ? pushed : { ...pushed, proposal };
}
