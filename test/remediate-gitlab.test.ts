import { inspect } from 'node:util';
import type { ManifestPatch, RootCause } from '@sleuth/core';
import { ForgeError, isDecline, openFixPullRequest, type FixPullRequest } from '@sleuth/remediate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGitLabServer, type GitLabServer } from './support/gitlab-server';
import { changedLines, gitIn, makeGitopsRepo, rootCauseWith, type GitopsRepo } from './support/gitops';

const CreateBody = z.object({
  source_branch: z.string(),
  target_branch: z.string(),
  title: z.string(),
  description: z.string(),
  labels: z.array(z.string()),
});
const TOKEN = 'glpat-test0000secret1111token';
const PROJECT = { id: 42, path_with_namespace: 'acme/platform/gitops' };
const MRS = /^\/api\/v4\/projects\/acme%2Fplatform%2Fgitops\/merge_requests$/;

const memory = (name: string, to: string): ManifestPatch => ({
  kind: 'Deployment',
  name,
  namespace: 'shop',
  field: 'spec.template.spec.containers[name=api].resources.limits.memory',
  from: '512Mi',
  to,
  rationale: '1.5× the current limit or 1.25× the observed peak, whichever is higher.',
});

/** An OOMKill root cause whose hypothesis and evidence carry log text that tries HTML and GitLab references. */
function oomKilled(patch: ManifestPatch): RootCause {
  return {
    ...rootCauseWith('oom-killed', patch),
    hypothesis:
      'Container api of shop/cart was OOMKilled <script>alert(1)</script> cc @sre-team see #12 !3 ~p1',
    evidence: [
      {
        signal: { kind: 'event', ids: ['ev-1'] },
        summary: 'OOMKilled: <img src=x onerror=alert(1)> exit code 137',
      },
    ],
  };
}

describe('GitLab merge requests for a pushed fix branch (@gitbeaker/rest against a test server)', () => {
  let repo: GitopsRepo;
  let gitlab: GitLabServer;
  let mainBefore: string | undefined;
  beforeAll(async () => {
    repo = await makeGitopsRepo('plain');
    mainBefore = await repo.head('main');
    gitlab = await startGitLabServer(TOKEN, [PROJECT]);
  });
  afterAll(async () => {
    expect(await repo.head('main')).toBe(mainBefore);
    await gitlab.close();
    await repo.cleanup();
  });

  async function run(incidentId: string, to: string, token = TOKEN): Promise<FixPullRequest> {
    const r = await openFixPullRequest({
      incidentId,
      rootCause: oomKilled(memory('cart', to)),
      repo: { url: repo.remote },
      workDir: repo.work,
      forge: { provider: 'gitlab', token, baseUrl: gitlab.url, project: 'acme/platform/gitops' },
      incidentTitle: 'cart pods restarting in shop',
      incidentUrl: `https://sleuth.example/incidents/${incidentId}`,
    });
    if (isDecline(r)) throw new Error(r.reason);
    return r;
  }

  it('opens one merge request per incident and updates it when the diagnosis changes', async () => {
    const first = await run('inc_mr', '768Mi');
    const branch = 'sleuth/inc_mr-memory-limit-cart-api';
    expect(first.branch).toBe(branch);
    expect(first.pullRequestCreated).toBe(true);

    const creates = gitlab.callsTo('POST', MRS);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.authorized).toBe(true);
    expect(creates[0]?.headers['user-agent']).toBe('sleuth-remediate');
    const sent = CreateBody.parse(creates[0]?.body);
    expect(sent.target_branch).toBe('main');
    expect(sent.source_branch).toBe(branch);
    expect(sent.labels).toEqual(['sleuth', 'automated-fix']);
    expect(sent.title).toBe(
      'fix(shop/cart): raise the memory limit of api in Deployment shop/cart from 512Mi to 768Mi',
    );
    const headings = sent.description.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Diagnosis',
      '## Evidence',
      '## Change',
      '## Why',
      '## Risk',
      '## Rollback',
      '## How to verify',
    ]);
    const diff = /```diff\n([\s\S]*?)```/.exec(sent.description)?.[1] ?? '';
    expect(changedLines(diff)).toEqual([
      '-            memory: 512Mi   # raised in March after the sale',
      '+            memory: 768Mi   # raised in March after the sale',
    ]);
    expect(sent.description).toContain('**Confidence:** 90%');
    expect(sent.description).toContain('](https://sleuth.example/incidents/inc_mr)');
    expect(sent.description).toContain('kubectl');
    expect(sent.description).toContain('Opened by Sleuth for incident `inc_mr`.');
    // Log text renders as text: no HTML, and GitLab sees no mention or reference in it.
    expect(sent.description).not.toContain('<script>');
    expect(sent.description).toContain('&lt;script&gt;');
    expect(sent.description).toContain('cc \\@sre-team see \\#12 \\!3 \\~p1');
    expect(sent.description).toContain('- `OOMKilled: <img src=x onerror=alert(1)> exit code 137`');
    // No line is a GitLab quick action (/merge, /close...).
    expect(sent.description.split('\n').filter((l) => /^\s*\//.test(l))).toEqual([]);

    expect(first.pullRequest).toEqual({
      provider: 'gitlab',
      url: 'https://gitlab.example/acme/platform/gitops/-/merge_requests/1',
      number: 1,
      branch,
      status: 'open',
    });
    expect(await repo.head(branch)).toBe(first.commit);

    // A higher peak was seen: the same incident, a different value.
    const second = await run('inc_mr', '1Gi');
    expect(second.branch).toBe(branch);
    expect(second.pullRequestCreated).toBe(false);
    expect(second.pullRequest.number).toBe(1);
    expect((await gitIn(repo.remote, 'rev-parse', `${second.commit}^`)).trim()).toBe(first.commit);
    expect(gitlab.callsTo('POST', /merge_requests/)).toHaveLength(1);
    const lookups = gitlab.callsTo('GET', MRS);
    expect(lookups.map((c) => c.query)).toEqual([
      expect.objectContaining({ source_branch: branch, state: 'opened' }),
      expect.objectContaining({ source_branch: branch, state: 'opened' }),
    ]);
    const updates = gitlab.callsTo(
      'PUT',
      /^\/api\/v4\/projects\/acme%2Fplatform%2Fgitops\/merge_requests\/1$/,
    );
    expect(updates).toHaveLength(1);
    const updated = z.object({ title: z.string(), description: z.string() }).strict().parse(updates[0]?.body);
    expect(updated.title).toMatch(/from 512Mi to 1Gi$/);
    expect(updated.description).toContain('+            memory: 1Gi   # raised in March after the sale');
    const mrs = gitlab.mergeRequests(PROJECT.id);
    expect(mrs.size).toBe(1);
    expect(mrs.get(1)).toMatchObject({
      state: 'opened',
      title: updated.title,
      labels: ['sleuth', 'automated-fix'],
    });
    // Sleuth never merges or closes.
    expect(gitlab.calls.filter((c) => /\/merge$/.test(c.path))).toEqual([]);
    expect(gitlab.calls.some((c) => JSON.stringify(c.body ?? {}).includes('state_event'))).toBe(false);
  });

  it("a bad token fails with a clear error naming 401 and GitLab's message, without the token", async () => {
    const wrong = 'glpat-wrong9999token';
    const err: unknown = await run('inc_badtoken', '768Mi', wrong).catch((e: unknown) => e);
    if (!(err instanceof ForgeError)) throw new Error(`expected a ForgeError, got ${String(err)}`);
    const e = err;
    expect(e.message).toBe(
      'GitLab answered 401 to GET /projects/acme%2Fplatform%2Fgitops/merge_requests: 401 Unauthorized; check the GitLab token in the configuration',
    );
    expect([e.code, e.statusCode, e.retryable]).toEqual(['forge_failed', 401, false]);
    expect(JSON.stringify(e.toJSON())).not.toContain(wrong);
    // What a logger would print of the error, cause chain included.
    expect(inspect(e, { depth: 10 })).not.toContain(wrong);
    expect(gitlab.calls.at(-1)?.authorized).toBe(false);
    // The branch was pushed before GitLab refused: it stays for the next run.
    expect(await repo.head('sleuth/inc_badtoken-memory-limit-cart-api')).toBeDefined();
  });

  it('a decline (the object is not in the repo) makes no API call', async () => {
    const before = gitlab.calls.length;
    const r = await openFixPullRequest({
      incidentId: 'inc_missing',
      rootCause: oomKilled(memory('nowhere', '768Mi')),
      repo: { url: repo.remote },
      workDir: repo.work,
      forge: { provider: 'gitlab', token: TOKEN, baseUrl: gitlab.url, project: 'acme/platform/gitops' },
    });
    expect(isDecline(r) && r.code).toBe('not-found');
    expect(gitlab.calls.length).toBe(before);
  });
});
