import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitLabServer, type GitLabServer } from '../../../../test/support/gitlab-server';
import { ForgeError } from './github';
import { GitLabConfig, GitLabForge, type MergeRequestRequest } from './gitlab';

const TOKEN = 'glpat-unit0000secret';
const PROJECT = { id: 7, path_with_namespace: 'acme/gitops' };

const request = (head: string, over: Partial<MergeRequestRequest> = {}): MergeRequestRequest => ({
  project: 'acme/gitops',
  base: 'main',
  head,
  title: `fix: ${head}`,
  body: 'body',
  labels: ['sleuth'],
  ...over,
});

function asForgeError(e: unknown): ForgeError {
  if (!(e instanceof ForgeError)) throw new Error(`expected a ForgeError, got ${String(e)}`);
  return e;
}

async function failure(p: Promise<unknown>): Promise<ForgeError> {
  return asForgeError(
    await p.then(
      () => undefined,
      (x: unknown) => x,
    ),
  );
}

describe('GitLabForge against a GitLab API test server', () => {
  let gitlab: GitLabServer;
  let forge: GitLabForge;
  beforeAll(async () => {
    gitlab = await startGitLabServer(TOKEN, [PROJECT]);
    forge = new GitLabForge({ token: TOKEN, baseUrl: gitlab.url });
  });
  afterAll(() => gitlab.close());

  it('takes the project by numeric id, and sends no labels when there are none', async () => {
    const r = await forge.openOrUpdatePullRequest(request('sleuth/by-id', { project: 7, labels: [] }));
    expect(r).toEqual({
      created: true,
      pullRequest: {
        provider: 'gitlab',
        url: 'https://gitlab.example/acme/gitops/-/merge_requests/1',
        number: 1,
        branch: 'sleuth/by-id',
        status: 'open',
      },
    });
    const [post] = gitlab.callsTo('POST', /^\/api\/v4\/projects\/7\/merge_requests$/);
    expect(post?.body).toEqual({
      source_branch: 'sleuth/by-id',
      target_branch: 'main',
      title: 'fix: sleuth/by-id',
      description: 'body',
    });
  });

  it('updates the open merge request a person re-targeted, and leaves its labels alone', async () => {
    await forge.openOrUpdatePullRequest(request('sleuth/retarget'));
    const mr = [...gitlab.mergeRequests(7).values()].find((m) => m.source_branch === 'sleuth/retarget');
    if (!mr) throw new Error('the merge request was not created');
    expect(mr.labels).toEqual(['sleuth']);
    mr.target_branch = 'release';
    mr.labels = ['needs-review'];
    const r = await forge.openOrUpdatePullRequest(request('sleuth/retarget', { title: 'fix: again' }));
    expect([r.created, r.pullRequest.number]).toEqual([false, mr.iid]);
    expect([mr.title, mr.target_branch, mr.labels]).toEqual(['fix: again', 'release', ['needs-review']]);
  });

  it('leaves a merge request a person closed closed, and ignores a fork branch of the same name', async () => {
    const first = await forge.openOrUpdatePullRequest(request('sleuth/closed'));
    const mrs = gitlab.mergeRequests(7);
    const closed = mrs.get(first.pullRequest.number);
    if (!closed) throw new Error('the merge request was not created');
    closed.state = 'closed';
    mrs.set(900, {
      ...closed,
      id: 9900,
      iid: 900,
      state: 'opened',
      source_project_id: 99,
      source_branch: 'sleuth/closed',
      title: 'work in a fork',
      web_url: 'https://gitlab.example/acme/gitops/-/merge_requests/900',
    });
    const second = await forge.openOrUpdatePullRequest(request('sleuth/closed'));
    expect(second.created).toBe(true);
    expect(second.pullRequest.number).toBe(901);
    expect(closed.state).toBe('closed');
    expect(mrs.get(900)?.title).toBe('work in a fork');
    expect(gitlab.callsTo('PUT', /merge_requests\/900$/)).toEqual([]);
  });

  it("two runs racing: the loser's error carries GitLab's 409 and its message", async () => {
    const results = await Promise.allSettled([
      forge.openOrUpdatePullRequest(request('sleuth/race')),
      forge.openOrUpdatePullRequest(request('sleuth/race')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const e = asForgeError(lost?.reason);
    expect(e.message).toMatch(
      /^GitLab answered 409 to POST \/projects\/acme%2Fgitops\/merge_requests: Another open merge request already exists for this source branch: !\d+$/,
    );
    expect([e.statusCode, e.retryable]).toEqual([409, false]);
  });

  it('names an unknown project with the 404 and what to check', async () => {
    const e = await failure(forge.openOrUpdatePullRequest(request('sleuth/x', { project: 'acme/nope' })));
    expect(e.message).toBe(
      'GitLab answered 404 to GET /projects/acme%2Fnope/merge_requests: 404 Project Not Found; check the project path or id, and that the token can see the project',
    );
  });

  it('refuses a project that is not a path or id, and a branch into itself, without a call', async () => {
    const before = gitlab.calls.length;
    const bad = await failure(forge.openOrUpdatePullRequest(request('sleuth/x', { project: '../admin' })));
    expect(bad.message).toBe('"../admin" is not a GitLab project id or path');
    const self = await failure(forge.openOrUpdatePullRequest(request('main')));
    expect(self.message).toBe('refusing to open a merge request from main into itself');
    expect(gitlab.calls.length).toBe(before);
  });

  it('a GitLab that does not answer fails as retryable, naming the call and the address', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const down = new GitLabForge({ token: TOKEN, baseUrl: `http://127.0.0.1:${port}/api/v4` });
    const e = await failure(down.openOrUpdatePullRequest(request('sleuth/down')));
    expect(e.message).toMatch(
      new RegExp(
        `^GitLab did not answer GET /projects/acme%2Fgitops/merge_requests at http://127\\.0\\.0\\.1:${port}/api/v4: .*ECONNREFUSED`,
      ),
    );
    expect([e.statusCode, e.retryable]).toEqual([502, true]);
    expect(inspect(e, { depth: 10 })).not.toContain(TOKEN);
  });
});

describe('GitLabConfig', () => {
  it('defaults to gitlab.com and takes only an API root ending in /api/v4', () => {
    expect(GitLabConfig.parse({ token: 't' })).toEqual({
      token: 't',
      baseUrl: 'https://gitlab.com/api/v4',
      userAgent: 'sleuth-remediate',
    });
    expect(
      GitLabConfig.safeParse({ token: 't', baseUrl: 'https://git.example.com/gitlab/api/v4/' }).success,
    ).toBe(true);
    const wrong = GitLabConfig.safeParse({ token: 't', baseUrl: 'https://gitlab.example.com' });
    expect(wrong.error?.issues.map((i) => i.message)).toEqual([
      'the GitLab API root ends in /api/v4, e.g. https://gitlab.example.com/api/v4',
    ]);
  });
});
