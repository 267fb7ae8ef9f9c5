import { z } from 'zod';
import { GitHubConfig, GitHubForge, type PullRequestResult } from './github';
import { GitLabConfig, GitLabForge, GitLabProject } from './gitlab';
import { FIX_LABELS } from './pr-body';

/** Labels for new pull requests; Sleuth's own by default. */
const Labels = z.array(z.string().min(1).max(50)).default([...FIX_LABELS]);

/** The GitHub repository the GitOps remote is, and how to reach its API. */
export const GitHubRepoConfig = GitHubConfig.extend({
  provider: z.literal('github'),
  owner: z.string().min(1),
  repo: z.string().min(1),
  labels: Labels,
});
export type GitHubRepoConfig = z.infer<typeof GitHubRepoConfig>;
export type GitHubRepoConfigInput = z.input<typeof GitHubRepoConfig>;

/** The GitLab project the GitOps remote is, and how to reach its API. */
export const GitLabProjectConfig = GitLabConfig.extend({
  provider: z.literal('gitlab'),
  /** The project's numeric id or full path (`group/sub/repo`). */
  project: GitLabProject,
  labels: Labels,
});
export type GitLabProjectConfig = z.infer<typeof GitLabProjectConfig>;
export type GitLabProjectConfigInput = z.input<typeof GitLabProjectConfig>;

/** Where fix pull requests are opened: a GitHub repository or a GitLab project, by `provider`. */
export const ForgeConfig = z.discriminatedUnion('provider', [GitHubRepoConfig, GitLabProjectConfig]);
export type ForgeConfig = z.infer<typeof ForgeConfig>;
export type ForgeConfigInput = z.input<typeof ForgeConfig>;

/** One fix branch's pull (or merge) request: what every forge is asked for. */
export interface BranchChange {
  base: string;
  head: string;
  title: string;
  body: string;
}

/** Opens or updates the pull request of one branch on the configured forge. */
export type OpenOrUpdate = (change: BranchChange) => Promise<PullRequestResult>;

/** The forge client for `config`; it makes no call until the answer is called. */
export function forgeFor(config: ForgeConfig): OpenOrUpdate {
  switch (config.provider) {
    case 'github': {
      const forge = new GitHubForge(config);
      return (change) =>
        forge.openOrUpdatePullRequest({
          ...change,
          owner: config.owner,
          repo: config.repo,
          labels: config.labels,
        });
    }
    case 'gitlab': {
      const forge = new GitLabForge(config);
      return (change) =>
        forge.openOrUpdatePullRequest({ ...change, project: config.project, labels: config.labels });
    }
  }
}
