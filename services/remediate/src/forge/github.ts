import { Octokit } from '@octokit/rest';
import { PullRequest, SleuthError } from '@sleuth/core';
import { z } from 'zod';

/** A forge API call failed. `statusCode` is GitHub's answer (502 when none came). */
export class ForgeError extends SleuthError {
  constructor(message: string, status: number | undefined, cause?: unknown) {
    super('forge_failed', message, {
      statusCode: status ?? 502,
      // No answer, rate limits and GitHub's own failures can pass; a 4xx answer will not.
      retryable: status === undefined || status === 429 || status >= 500,
      ...(status === undefined ? {} : { details: { status } }),
      cause,
    });
  }
}

/** How Sleuth reaches GitHub. The token is only ever sent in the Authorization header. */
export const GitHubConfig = z.object({
  /** A token that may create pull requests and labels on the repository (never logged). */
  token: z.string().min(1),
  /** The REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise. */
  baseUrl: z.url().default('https://api.github.com'),
  userAgent: z.string().min(1).default('sleuth-remediate'),
});
export type GitHubConfig = z.infer<typeof GitHubConfig>;
export type GitHubConfigInput = z.input<typeof GitHubConfig>;

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface PullRequestRequest {
  owner: string;
  repo: string;
  /** The branch the change goes into (the default branch). */
  base: string;
  /** The branch carrying the change, in the same repository. */
  head: string;
  title: string;
  body: string;
  /** Added when the pull request is created; a person's later label changes are left alone. */
  labels: readonly string[];
}

export interface PullRequestResult {
  pullRequest: PullRequest;
  /** True when this call opened the pull request, false when it updated an open one. */
  created: boolean;
}

/** The fields Sleuth reads from GitHub's pull request JSON. */
const GitHubPull = z.object({
  number: z.number().int().positive(),
  html_url: z.url(),
  state: z.enum(['open', 'closed']),
  merged_at: z.string().nullish(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
});

/** What an Octokit RequestError carries that is worth showing: the status and GitHub's message. */
const RequestFailure = z.object({
  status: z.number().int(),
  response: z
    .object({
      data: z
        .object({ message: z.string().optional(), errors: z.array(z.unknown()).optional() })
        .loose()
        .optional(),
    })
    .loose()
    .optional(),
});

function toPullRequest(raw: unknown): PullRequest {
  const parsed = GitHubPull.safeParse(raw);
  if (!parsed.success) throw new ForgeError('GitHub answered with a pull request Sleuth cannot read', 502);
  const p = parsed.data;
  const status = p.merged_at ? 'merged' : p.state;
  return PullRequest.parse({
    provider: 'github',
    url: p.html_url,
    number: p.number,
    branch: p.head.ref,
    status,
  });
}

/**
 * Opens or updates the pull request of a pushed fix branch through the GitHub REST API
 * (@octokit/rest): one open pull request per head branch. It never merges, never closes and
 * never touches branches; errors name the call, GitHub's status and message, never the token.
 */
export class GitHubForge {
  readonly config: GitHubConfig;
  private readonly octokit: Octokit;

  constructor(config: GitHubConfigInput) {
    this.config = GitHubConfig.parse(config);
    const quiet = (): void => undefined;
    this.octokit = new Octokit({
      auth: this.config.token,
      baseUrl: this.config.baseUrl.replace(/\/+$/, ''),
      userAgent: this.config.userAgent,
      // Octokit writes warnings to the console by default; a library stays quiet.
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
  }

  /**
   * Finds the open pull request whose head is `owner:head`: updates its title and body when there
   * is one, else creates it against `base` and adds the labels.
   */
  async openOrUpdatePullRequest(req: PullRequestRequest): Promise<PullRequestResult> {
    const { owner, repo, base, head } = req;
    if (!NAME.test(owner) || !NAME.test(repo))
      throw new ForgeError(`"${owner}/${repo}" is not a GitHub owner/repository name`, undefined);
    if (head === base) throw new ForgeError(`refusing to open a pull request from ${head} into itself`, 422);
    const open = await this.call(`GET /repos/${owner}/${repo}/pulls`, () =>
      this.octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: 'open', per_page: 100 }),
    );
    const existing = open.find((p) => p.head.ref === head && p.base.ref === base) ?? open[0];
    if (existing) {
      const updated = await this.call(`PATCH /repos/${owner}/${repo}/pulls/${existing.number}`, () =>
        this.octokit.rest.pulls.update({
          owner,
          repo,
          pull_number: existing.number,
          title: req.title,
          body: req.body,
        }),
      );
      return { pullRequest: toPullRequest(updated), created: false };
    }
    const created = await this.call(`POST /repos/${owner}/${repo}/pulls`, () =>
      this.octokit.rest.pulls.create({ owner, repo, base, head, title: req.title, body: req.body }),
    );
    const pr = toPullRequest(created);
    if (req.labels.length > 0)
      await this.call(`POST /repos/${owner}/${repo}/issues/${pr.number}/labels`, () =>
        this.octokit.rest.issues.addLabels({ owner, repo, issue_number: pr.number, labels: [...req.labels] }),
      );
    return { pullRequest: pr, created: true };
  }

  /** Runs one API call and answers its data, or throws a ForgeError naming the call and status. */
  private async call<T>(what: string, fn: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn()).data;
    } catch (e) {
      const failure = RequestFailure.safeParse(e);
      // Octokit reports a request that got no answer (refused, reset, DNS) as status 500 without
      // a response: that is GitHub unreachable, not GitHub failing.
      if (!failure.success || failure.data.response === undefined)
        throw new ForgeError(
          `GitHub did not answer ${what} at ${this.config.baseUrl}: ${e instanceof Error ? e.message : String(e)}`,
          undefined,
          e,
        );
      const { status, response } = failure.data;
      const message = response?.data?.message ?? 'no message';
      const errors = response?.data?.errors;
      const detail = errors && errors.length > 0 ? ` (${JSON.stringify(errors).slice(0, 500)})` : '';
      const hint = status === 401 ? '; check the GitHub token in the configuration' : '';
      throw new ForgeError(`GitHub answered ${status} to ${what}: ${message}${detail}${hint}`, status, e);
    }
  }
}
