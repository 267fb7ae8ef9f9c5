import type { ManifestPatch, RootCause } from '@sleuth/core';
import { ForgeError, isDecline, openFixPullRequest, type FixPullRequest } from '@sleuth/remediate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGitHubServer, type GitHubServer } from './support/github-server';
import { changedLines, gitIn, makeGitopsRepo, rootCauseWith, type GitopsRepo } from './support/gitops';

const PullBody = z.object({ title: z.string(), body: z.string(), base: z.string(), head: z.string() });
const TOKEN = 'ghp_test0000secret1111token';

const memory = (name: string, to: string): ManifestPatch => ({
  kind: 'Deployment',
  name,
  namespace: 'shop',
  field: 'spec.template.spec.containers[name=api].resources.limits.memory',
  from: '512Mi',
  to,
  rationale: '1.5× the current limit or 1.25× the observed peak, whichever is higher.',
});

/** An OOMKill root cause whose evidence carries text from a log line that tries to be HTML. */
function oomKilled(patch: ManifestPatch): RootCause {
  return {
    ...rootCauseWith('oom-killed', patch),
    hypothesis: 'Container api of shop/cart was OOMKilled <script>alert(1)</script>',
    evidence: [
      {
        signal: { kind: 'event', ids: ['ev-1'] },
        summary: 'OOMKilled: <img src=x onerror=alert(1)> exit code 137',
      },
    ],
  };
}

describe('GitHub pull requests for a pushed fix branch (@octokit/rest against a test server)', () => {
  let repo: GitopsRepo;
  let github: GitHubServer;
  let mainBefore: string | undefined;
  beforeAll(async () => {
    repo = await makeGitopsRepo('plain');
    mainBefore = await repo.head('main');
    github = await startGitHubServer(TOKEN);
  });
  afterAll(async () => {
    expect(await repo.head('main')).toBe(mainBefore);
    await github.close();
    await repo.cleanup();
  });

  async function run(incidentId: string, to: string, token = TOKEN): Promise<FixPullRequest> {
    const r = await openFixPullRequest({
      incidentId,
      rootCause: oomKilled(memory('cart', to)),
      repo: { url: repo.remote },
      workDir: repo.work,
      forge: { provider: 'github', token, baseUrl: github.url, owner: 'acme', repo: 'gitops' },
      incidentTitle: 'cart pods restarting in shop',
      incidentUrl: `https://sleuth.example/incidents/${incidentId}`,
    });
    if (isDecline(r)) throw new Error(r.reason);
    return r;
  }

  it('opens one pull request per incident and updates it when the diagnosis changes', async () => {
    const first = await run('inc_pr', '768Mi');
    const branch = 'sleuth/inc_pr-memory-limit-cart-api';
    expect(first.branch).toBe(branch);
    expect(first.pullRequestCreated).toBe(true);

    const creates = github.callsTo('POST', /^\/repos\/acme\/gitops\/pulls$/);
    expect(creates).toHaveLength(1);
    const sent = PullBody.parse(creates[0]?.body);
    expect(creates[0]?.auth).toBe('token');
    expect(sent.base).toBe('main');
    expect(sent.head).toBe(branch);
    expect(sent.title).toBe(
      'fix(shop/cart): raise the memory limit of api in Deployment shop/cart from 512Mi to 768Mi',
    );
    const headings = sent.body.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Diagnosis',
      '## Evidence',
      '## Change',
      '## Why',
      '## Risk',
      '## Rollback',
      '## How to verify',
    ]);
    const diff = /```diff\n([\s\S]*?)```/.exec(sent.body)?.[1] ?? '';
    expect(changedLines(diff)).toEqual([
      '-            memory: 512Mi   # raised in March after the sale',
      '+            memory: 768Mi   # raised in March after the sale',
    ]);
    expect(sent.body).toContain('**Confidence:** 90%');
    expect(sent.body).toContain('](https://sleuth.example/incidents/inc_pr)');
    expect(sent.body).toContain('kubectl');
    expect(sent.body).toMatch(/Sleuth never merges/);
    expect(sent.body).toContain('Opened by Sleuth for incident `inc_pr`.');
    // Log text renders as text: no raw HTML tag outside code spans.
    expect(sent.body).not.toContain('<script>');
    expect(sent.body).toContain('&lt;script&gt;');
    expect(sent.body).toContain('- `OOMKilled: <img src=x onerror=alert(1)> exit code 137`');

    const labels = github.callsTo('POST', /^\/repos\/acme\/gitops\/issues\/1\/labels$/);
    expect(labels.map((c) => c.body)).toEqual([{ labels: ['sleuth', 'automated-fix'] }]);
    expect(first.pullRequest).toEqual({
      provider: 'github',
      url: 'https://github.example/acme/gitops/pull/1',
      number: 1,
      branch,
      status: 'open',
    });
    expect(await repo.head(branch)).toBe(first.commit);

    // A higher peak was seen: the same incident, a different value.
    const second = await run('inc_pr', '1Gi');
    expect(second.branch).toBe(branch);
    expect(second.pullRequestCreated).toBe(false);
    expect(second.pullRequest.number).toBe(1);
    expect((await gitIn(repo.remote, 'rev-parse', `${second.commit}^`)).trim()).toBe(first.commit);
    expect(github.callsTo('POST', /\/pulls$/)).toHaveLength(1);
    const lookups = github.callsTo('GET', /^\/repos\/acme\/gitops\/pulls$/);
    expect(lookups.map((c) => c.query)).toEqual([
      expect.objectContaining({ head: `acme:${branch}`, state: 'open' }),
      expect.objectContaining({ head: `acme:${branch}`, state: 'open' }),
    ]);
    const patches = github.callsTo('PATCH', /^\/repos\/acme\/gitops\/pulls\/1$/);
    expect(patches).toHaveLength(1);
    const updated = PullBody.pick({ title: true, body: true }).parse(patches[0]?.body);
    expect(updated.title).toMatch(/from 512Mi to 1Gi$/);
    expect(updated.body).toContain('+            memory: 1Gi   # raised in March after the sale');
    expect(github.pulls.size).toBe(1);
    expect(github.pulls.get(1)?.state).toBe('open');
    // Sleuth never merges or closes.
    expect(github.calls.filter((c) => c.path.endsWith('/merge'))).toEqual([]);
    expect(github.calls.some((c) => JSON.stringify(c.body ?? {}).includes('"state":'))).toBe(false);
  });

  it('a bad token fails with a clear error naming 401, without the token', async () => {
    const wrong = 'ghp_wrong9999token';
    const err: unknown = await run('inc_badtoken', '768Mi', wrong).catch((e: unknown) => e);
    if (!(err instanceof ForgeError)) throw new Error(`expected a ForgeError, got ${String(err)}`);
    const e = err;
    expect(e.message).toBe(
      'GitHub answered 401 to GET /repos/acme/gitops/pulls: Bad credentials; check the GitHub token in the configuration',
    );
    expect([e.code, e.statusCode, e.retryable]).toEqual(['forge_failed', 401, false]);
    expect(JSON.stringify(e.toJSON())).not.toContain(wrong);
    expect(e.message).not.toContain(wrong);
    expect(github.calls.at(-1)?.auth).toBeUndefined();
  });

  it('a decline (the object is not in the repo) makes no API call', async () => {
    const before = github.calls.length;
    const r = await openFixPullRequest({
      incidentId: 'inc_missing',
      rootCause: oomKilled(memory('nowhere', '768Mi')),
      repo: { url: repo.remote },
      workDir: repo.work,
      forge: { provider: 'github', token: TOKEN, baseUrl: github.url, owner: 'acme', repo: 'gitops' },
    });
    expect(isDecline(r) && r.code).toBe('not-found');
    expect(github.calls.length).toBe(before);
  });
});
