import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { ManifestPatch } from '@sleuth/core';
import { isDecline, openFixBranch, proposeFix, type FixBranch } from '@sleuth/remediate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, changedLines, gitIn, makeGitopsRepo, rootCauseWith, type GitopsRepo } from './support/gitops';

const memory = (name: string, from: string, to: string): ManifestPatch => ({
  kind: 'Deployment',
  name,
  namespace: 'shop',
  field: 'spec.template.spec.containers[name=api].resources.limits.memory',
  from,
  to,
  rationale: '1.5× the current limit or 1.25× the observed peak, whichever is higher.',
});

describe('the local git provider: one branch per incident, never the default branch', () => {
  let repo: GitopsRepo;
  let mainBefore: string | undefined;
  beforeAll(async () => {
    repo = await makeGitopsRepo('plain');
    mainBefore = await repo.head('main');
  });
  afterAll(async () => {
    // Whatever ran, main is where Alice left it.
    expect(await repo.head('main')).toBe(mainBefore);
    await repo.cleanup();
  });

  async function run(incidentId: string, patch: ManifestPatch): Promise<FixBranch> {
    const r = await openFixBranch({
      incidentId,
      rootCause: rootCauseWith('oom-killed', patch),
      repo: { url: repo.remote },
      workDir: repo.work,
    });
    if (isDecline(r)) throw new Error(r.reason);
    return r;
  }

  it('a second run for the same incident adds a commit to the same branch', async () => {
    const first = await run('inc_again', memory('cart', '512Mi', '768Mi'));
    // The diagnosis changed: a higher peak was seen.
    const second = await run('inc_again', memory('cart', '512Mi', '1Gi'));
    expect(second.branch).toBe(first.branch);
    expect([first.created, second.created, second.changed]).toEqual([true, false, true]);
    expect((await gitIn(repo.remote, 'rev-parse', `${second.commit}^`)).trim()).toBe(first.commit);
    expect(await repo.head(first.branch)).toBe(second.commit);
    const diff = await gitIn(repo.remote, 'diff', 'main', first.branch);
    expect(changedLines(diff)).toEqual([
      '-            memory: 512Mi   # raised in March after the sale',
      '+            memory: 1Gi   # raised in March after the sale',
    ]);
    // The same diagnosis again changes nothing.
    const third = await run('inc_again', memory('cart', '512Mi', '1Gi'));
    expect([third.changed, third.commit]).toEqual([false, second.commit]);
  });

  it('when the fix moves to another file, the branch drops its earlier change', async () => {
    const first = await run('inc_move', memory('checkout', '1Gi', '1536Mi'));
    const second = await run('inc_move', memory('cart', '512Mi', '768Mi'));
    expect(second.branch).toBe(first.branch);
    expect((await gitIn(repo.remote, 'diff', '--name-only', 'main', second.branch)).trim()).toBe(
      'apps/shop/cart.yaml',
    );
  });

  it("declines to push over a person's commit on the incident's branch", async () => {
    const first = await run('inc_human', memory('cart', '512Mi', '768Mi'));
    const alice = join(repo.work, '..', 'alice');
    await gitIn(join(repo.work, '..'), 'clone', '--quiet', '--branch', first.branch, repo.remote, alice);
    await writeFile(join(alice, 'NOTES.md'), 'Reviewed: let us try 640Mi first.\n');
    await gitIn(alice, 'add', 'NOTES.md');
    await gitIn(alice, 'commit', '--quiet', '-m', 'Review note');
    await gitIn(alice, 'push', '--quiet', 'origin', first.branch);
    const aliceHead = await repo.head(first.branch);

    const r = await openFixBranch({
      incidentId: 'inc_human',
      rootCause: rootCauseWith('oom-killed', memory('cart', '512Mi', '1Gi')),
      repo: { url: repo.remote },
      workDir: repo.work,
    });
    expect(isDecline(r) && r.code).toBe('branch-conflict');
    expect(isDecline(r) && r.reason).toBe(
      `the branch ${first.branch} on the remote has commits by ${ALICE.name} <${ALICE.email}>; Sleuth does not push over other people's commits. Merge or delete that branch and run again`,
    );
    expect(await repo.head(first.branch)).toBe(aliceHead);
  });

  it("keeps incidents apart even when one id starts with another's", async () => {
    const longer = await run('inc-7-2', memory('cart', '512Mi', '768Mi'));
    const shorter = await run('inc-7', memory('cart', '512Mi', '768Mi'));
    expect([longer.branch, shorter.branch]).toEqual([
      'sleuth/inc-7-2-memory-limit-cart-api',
      'sleuth/inc-7-memory-limit-cart-api',
    ]);
    expect(shorter.created).toBe(true);
  });

  it("never resets a checkout it did not clone (someone's working copy)", async () => {
    const r = openFixBranch({
      incidentId: 'inc_seed',
      rootCause: rootCauseWith('oom-killed', memory('cart', '512Mi', '768Mi')),
      repo: { url: repo.remote },
      workDir: repo.seed,
    });
    await expect(r).rejects.toThrow(/is a git working folder Sleuth did not create/);
    expect(await gitIn(repo.seed, 'status', '--porcelain')).toBe('');
  });

  it('refuses an incident id that is not a safe branch name', async () => {
    const r = await openFixBranch({
      incidentId: '../main',
      rootCause: rootCauseWith('oom-killed', memory('cart', '512Mi', '768Mi')),
      repo: { url: repo.remote },
      workDir: repo.work,
    });
    expect(isDecline(r) && r.reason).toBe('the incident id cannot be part of a branch name');
  });

  it('proposes from the configured repository without pushing anything', async () => {
    const before = await gitIn(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)');
    const r = await proposeFix({
      repo: { url: repo.remote },
      workDir: repo.work,
      incidentId: 'inc_dry',
      rootCause: rootCauseWith('oom-killed', memory('cart', '512Mi', '768Mi')),
    });
    expect(!isDecline(r) && r.repo).toBe(repo.remote);
    expect(await gitIn(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
  });
});
