export {
  commitBody,
  openFixBranch,
  proposeFix,
  type FixBranch,
  type OpenFixBranchInput,
  type ProposeFixInput,
  type RepoSource,
} from './propose-fix';
export { Decline, DeclineCode, decline, isDecline } from './decline';
export { formatFieldPath, parseFieldPath, valueAt, type PathSegment } from './field-path';
export { RemediationProposal, type Fixer, type FixerInput } from './fixers/fixer';
export { FIXERS, fixerFor, type FixerId } from './fixers/registry';
export { locateManifest, type LocatedManifest, type LocateOptions } from './locate/locate';
export type { ObjectRef } from './locate/helm';
export { applyFieldEdits, type EditResult, type EditTarget, type FieldEdit } from './edit/yaml-edit';
export { validateManifest, type Validation } from './edit/validate';
export { isQuantity, parseQuantity, sameQuantity } from '@sleuth/core';
export { unifiedDiff } from './edit/unified-diff';
export {
  GitIdentity,
  GitRepoConfig,
  LocalGitProvider,
  type BranchResult,
  type FixCommit,
  type GitRepoConfigInput,
} from './git/local-provider';
export { GitError, redactUrl } from './git/git-cli';
export {
  ForgeError,
  GitHubConfig,
  GitHubForge,
  type GitHubConfigInput,
  type PullRequestRequest,
  type PullRequestResult,
} from './forge/github';
export {
  GitLabConfig,
  GitLabForge,
  GitLabProject,
  type GitLabConfigInput,
  type MergeRequestRequest,
} from './forge/gitlab';
export {
  ForgeConfig,
  GitHubRepoConfig,
  GitLabProjectConfig,
  forgeFor,
  type BranchChange,
  type ForgeConfigInput,
  type GitHubRepoConfigInput,
  type GitLabProjectConfigInput,
  type OpenOrUpdate,
} from './forge/forge-config';
export {
  FIX_LABELS,
  plainText,
  pullRequestBody,
  pullRequestTitle,
  type PullRequestText,
} from './forge/pr-body';
export {
  openFixPullRequest,
  type FixPullRequest,
  type OpenFixPullRequestInput,
} from './forge/open-pull-request';
