import type { PullRequest } from '@sleuth/core';
import { isDecline, type Decline } from '../decline';
import { openFixBranch, type FixBranch, type OpenFixBranchInput } from '../propose-fix';
import { ForgeConfig, forgeFor, type ForgeConfigInput } from './forge-config';
import { pullRequestBody, pullRequestTitle } from './pr-body';

export type OpenFixPullRequestInput = OpenFixBranchInput & {
  /** The GitHub repository or GitLab project of the GitOps remote (`provider: 'github' | 'gitlab'`). */
  forge: ForgeConfigInput;
  /** The incident's title and Sleuth's page for it, for the pull request body. */
  incidentTitle?: string;
  incidentUrl?: string;
};

export type FixPullRequest = FixBranch & {
  pullRequest: PullRequest;
  /** True when this run opened the pull request, false when it updated the incident's open one. */
  pullRequestCreated: boolean;
  title: string;
  body: string;
};

/**
 * Puts the fix on the incident's branch (`openFixBranch`) and opens a pull request (GitHub) or
 * merge request (GitLab) from it into the default branch, or updates the title and body of the
 * one already open for that branch: a second run for the same incident adds a commit and updates
 * the same pull request. A decline makes no API call. The forge configuration is checked before
 * anything is pushed; when the forge fails after the push, the branch stays and running again
 * opens the pull request. Never merges, never closes.
 */
export async function openFixPullRequest(input: OpenFixPullRequestInput): Promise<FixPullRequest | Decline> {
  const openOrUpdate = forgeFor(ForgeConfig.parse(input.forge));
  const branch = await openFixBranch(input);
  if (isDecline(branch)) return branch;
  const title = pullRequestTitle(branch.proposal);
  const body = pullRequestBody({
    incidentId: input.incidentId,
    rootCause: input.rootCause,
    proposal: branch.proposal,
    ...(input.incidentTitle === undefined ? {} : { incidentTitle: input.incidentTitle }),
    ...(input.incidentUrl === undefined ? {} : { incidentUrl: input.incidentUrl }),
  });
  const { pullRequest, created } = await openOrUpdate({
    base: branch.defaultBranch,
    head: branch.branch,
    title,
    body,
  });
  return { ...branch, pullRequest, pullRequestCreated: created, title, body };
}
