import type { PullRequest } from '@sleuth/core';
import { z } from 'zod';
import { isDecline, type Decline } from '../decline';
import { openFixBranch, type FixBranch, type OpenFixBranchInput } from '../propose-fix';
import { GitHubConfig, GitHubForge } from './github';
import { FIX_LABELS, pullRequestBody, pullRequestTitle } from './pr-body';

/** The GitHub repository the GitOps remote is, and how to reach its API. */
export const GitHubRepoConfig = GitHubConfig.extend({
  owner: z.string().min(1),
  repo: z.string().min(1),
  /** Labels for new pull requests; Sleuth's own by default. */
  labels: z.array(z.string().min(1).max(50)).default([...FIX_LABELS]),
});
export type GitHubRepoConfig = z.infer<typeof GitHubRepoConfig>;
export type GitHubRepoConfigInput = z.input<typeof GitHubRepoConfig>;

export type OpenFixPullRequestInput = OpenFixBranchInput & {
  github: GitHubRepoConfigInput;
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
 * Puts the fix on the incident's branch (`openFixBranch`) and opens a pull request from it into
 * the default branch, or updates the title and body of the one already open for that branch: a
 * second run for the same incident adds a commit and updates the same pull request. A decline
 * makes no API call. When GitHub fails after the push, the branch stays; running again opens
 * the pull request. Never merges, never closes.
 */
export async function openFixPullRequest(input: OpenFixPullRequestInput): Promise<FixPullRequest | Decline> {
  const github = GitHubRepoConfig.parse(input.github);
  const forge = new GitHubForge(github);
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
  const { pullRequest, created } = await forge.openOrUpdatePullRequest({
    owner: github.owner,
    repo: github.repo,
    base: branch.defaultBranch,
    head: branch.branch,
    title,
    body,
    labels: github.labels,
  });
  return { ...branch, pullRequest, pullRequestCreated: created, title, body };
}
