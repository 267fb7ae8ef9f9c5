import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, GitError, redactUrl, runGit } from './git-cli';

describe('git command line', () => {
  it('hides credentials in URLs', () => {
    expect(redactUrl('git clone https://bot:ghp_secret@github.com/acme/gitops.git')).toBe(
      'git clone https://***@github.com/acme/gitops.git',
    );
    expect(redactUrl('ssh://git@example.com/acme.git /srv/repo')).toBe(
      'ssh://***@example.com/acme.git /srv/repo',
    );
  });

  it('answers exit codes, and fails with a coded error naming the command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sleuth-git-'));
    try {
      expect((await runGit(dir, ['rev-parse', '--is-inside-work-tree'])).code).not.toBe(0);
      const err = await git(dir, ['clone', '--', 'https://user:token@127.0.0.1:1/none.git', 'x']).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitError);
      expect(err).toMatchObject({ code: 'git_failed', retryable: true });
      expect(String(err)).toMatch(/git clone -- https:\/\/\*\*\*@127\.0\.0\.1:1\/none\.git x failed/);
      expect(String(err)).not.toContain('token');
      const local = await git(dir, ['log']).catch((e: unknown) => e);
      expect(local).toMatchObject({ code: 'git_failed', retryable: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
