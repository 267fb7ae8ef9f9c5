import { GitbeakerRequestError, MergeRequests } from '@gitbeaker/rest';
import { PullRequest } from '@sleuth/core';
import { z } from 'zod';
import { ForgeError, type PullRequestResult } from './github';

/** How Sleuth reaches GitLab. The token is only ever sent in the `PRIVATE-TOKEN` header. */
export const GitLabConfig = z.object({
  /** A token with the `api` scope that may create merge requests on the project (never logged). */
  token: z.string().min(1),
  /** The REST API root, ending in `/api/v4`: `https://gitlab.com/api/v4` or `https://HOST/api/v4`. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => /\/api\/v4\/?$/.test(new URL(u).pathname), {
      message: 'the GitLab API root ends in /api/v4, e.g. https://gitlab.example.com/api/v4',
    })
    .default('https://gitlab.com/api/v4'),
  userAgent: z.string().min(1).default('sleuth-remediate'),
});
export type GitLabConfig = z.infer<typeof GitLabConfig>;
export type GitLabConfigInput = z.input<typeof GitLabConfig>;

/** A project as GitLab's API names it: its numeric id, or its full path (`group/sub/repo`). */
export const GitLabProject = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^(?:\d+|[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+)$/, {
      message: 'a GitLab project is a numeric id or a path such as group/sub/repo',
    })
    .max(500),
]);
export type GitLabProject = z.infer<typeof GitLabProject>;

export interface MergeRequestRequest {
  project: GitLabProject;
  /** The branch the change goes into (the default branch). */
  base: string;
  /** The branch carrying the change, in the same project. */
  head: string;
  title: string;
  /** The merge request description (markdown). */
  body: string;
  /** Added when the merge request is created; a person's later label changes are left alone. */
  labels: readonly string[];
}

/** The fields Sleuth reads from GitLab's merge request JSON. */
const GitLabMergeRequest = z.object({
  iid: z.number().int().positive(),
  web_url: z.url(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  source_branch: z.string(),
  target_branch: z.string(),
  source_project_id: z.number().int(),
  target_project_id: z.number().int(),
});
type GitLabMergeRequest = z.infer<typeof GitLabMergeRequest>;

function parseMergeRequest(raw: unknown): GitLabMergeRequest {
  const parsed = GitLabMergeRequest.safeParse(raw);
  if (!parsed.success) throw new ForgeError('GitLab answered with a merge request Sleuth cannot read', 502);
  return parsed.data;
}

function toPullRequest(mr: GitLabMergeRequest): PullRequest {
  // `locked` is GitLab's short state while it merges: the merge request is still open.
  const status = mr.state === 'opened' || mr.state === 'locked' ? 'open' : mr.state;
  return PullRequest.parse({
    provider: 'gitlab',
    url: mr.web_url,
    number: mr.iid,
    branch: mr.source_branch,
    status,
  });
}

/** GitLab's `message`/`error`, which is a string, a list or a map of field → problems. */
function flatten(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(flatten).join('; ');
  if (v !== null && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k} ${flatten(x)}`)
      .join('; ');
  return String(v);
}

function readable(description: string): string {
  try {
    return flatten(JSON.parse(description));
  } catch {
    return description; // GitLab's text as is (a plain message, or a proxy's page).
  }
}

const HINTS: Partial<Record<number, string>> = {
  401: '; check the GitLab token in the configuration',
  403: '; the token needs the api scope and the Developer role on the project',
  404: '; check the project path or id, and that the token can see the project',
};

/**
 * Opens or updates the merge request of a pushed fix branch through the GitLab REST API v4
 * (@gitbeaker/rest): one open merge request per source branch. It never merges, never closes and
 * never touches branches; errors name the call, GitLab's status and message, never the token.
 */
export class GitLabForge {
  readonly config: GitLabConfig;
  private readonly mergeRequests: MergeRequests;

  constructor(config: GitLabConfigInput) {
    this.config = GitLabConfig.parse(config);
    // gitbeaker takes the instance's root and appends /api/v4 itself.
    const host = this.config.baseUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
    this.mergeRequests = new MergeRequests({ host, token: this.config.token });
    // gitbeaker has no user-agent option; the headers it sends with every request are this map.
    this.mergeRequests.headers['user-agent'] = this.config.userAgent;
  }

  /**
   * Finds the open merge request whose source branch is `head` in the project: updates its title
   * and description when there is one, else creates it into `base` with the labels.
   */
  async openOrUpdatePullRequest(req: MergeRequestRequest): Promise<PullRequestResult> {
    const { base, head } = req;
    const project = GitLabProject.safeParse(req.project);
    if (!project.success)
      throw new ForgeError(`"${String(req.project)}" is not a GitLab project id or path`, 422);
    const id = project.data;
    if (head === base) throw new ForgeError(`refusing to open a merge request from ${head} into itself`, 422);
    const path = `/projects/${encodeURIComponent(id)}/merge_requests`;

    const open = await this.call(`GET ${path}`, () =>
      this.mergeRequests.all({
        projectId: id,
        sourceBranch: head,
        state: 'opened',
        perPage: 100,
        maxPages: 1,
      }),
    );
    const list = z.array(z.unknown()).safeParse(open);
    if (!list.success)
      throw new ForgeError('GitLab answered with a merge request list Sleuth cannot read', 502);
    // The project's own branch, not a fork's branch of the same name.
    const mine = list.data
      .map(parseMergeRequest)
      .filter((mr) => mr.source_branch === head && mr.source_project_id === mr.target_project_id);
    const existing = mine.find((mr) => mr.target_branch === base) ?? mine[0];
    if (existing) {
      const updated = await this.call(`PUT ${path}/${existing.iid}`, () =>
        this.mergeRequests.edit(id, existing.iid, { title: req.title, description: req.body }),
      );
      return { pullRequest: toPullRequest(parseMergeRequest(updated)), created: false };
    }
    const created = await this.call(`POST ${path}`, () =>
      this.mergeRequests.create(id, head, base, req.title, {
        description: req.body,
        ...(req.labels.length > 0 ? { labels: [...req.labels] } : {}),
      }),
    );
    return { pullRequest: toPullRequest(parseMergeRequest(created)), created: true };
  }

  /** Runs one API call, or throws a ForgeError naming the call, GitLab's status and message. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof GitbeakerRequestError && e.cause) {
        const { status } = e.cause.response;
        const message = this.redact(readable(e.cause.description)).slice(0, 500) || 'no message';
        // No cause: gitbeaker's error holds the request, and the request holds the token header.
        throw new ForgeError(
          `GitLab answered ${status} to ${what}: ${message}${HINTS[status] ?? ''}`,
          status,
        );
      }
      const reason = e instanceof Error ? e.message : String(e);
      const detail = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
      throw new ForgeError(
        `GitLab did not answer ${what} at ${this.config.baseUrl}: ${this.redact(reason + detail)}`,
        undefined,
        e,
      );
    }
  }

  private redact(text: string): string {
    return text.split(this.config.token).join('[redacted]');
  }
}
