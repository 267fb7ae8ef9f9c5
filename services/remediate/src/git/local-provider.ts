import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { decline, type Decline } from '../decline';
import { repoPath } from '../locate/manifest-files';
import { git, GitError, redactUrl, runGit } from './git-cli';

const BRANCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

/** Who Sleuth commits as. Commits on a fix branch by anyone else stop Sleuth from pushing to it. */
export const GitIdentity = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^<>\n]+$/),
  email: z.string().regex(/^[^\s<>@]+@[^\s<>@]+$/),
});

/** The GitOps repository fixes go to. */
export const GitRepoConfig = z.object({
  /** What `git clone` takes: a folder, a file:// or https:// or ssh URL. */
  url: z
    .string()
    .min(1)
    .max(2000)
    .refine((u) => !u.startsWith('-'), 'a repository URL cannot start with "-"'),
  /** The branch the cluster is synced from; read from the remote's HEAD when absent. */
  defaultBranch: z.string().regex(BRANCH_NAME).optional(),
  /** Folders of the repository to search for manifests; all of it when empty. */
  paths: z.array(z.string().min(1)).default([]),
  identity: GitIdentity.default({ name: 'Sleuth', email: 'sleuth@sleuth.invalid' }),
});
export type GitRepoConfig = z.infer<typeof GitRepoConfig>;
export type GitRepoConfigInput = z.input<typeof GitRepoConfig>;

/** Marks a clone as Sleuth's, inside its .git folder. */
const MARKER = 'sleuth-workdir';

/** An incident id fits in a branch name: letters, digits, `_`, `.`, `-`. */
const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export interface FixCommit {
  incidentId: string;
  slug: string;
  /** The commit subject. */
  title: string;
  /** The commit body (rationale, risk, rollback, verification). */
  body: string;
  /** Whole files to write, by repo-relative path. */
  files: { path: string; content: string }[];
}

export interface BranchResult {
  branch: string;
  /** The branch's head after the run. */
  commit: string;
  /** The default branch and its head, which Sleuth never changes. */
  defaultBranch: string;
  base: string;
  /** True when this run created the branch on the remote. */
  created: boolean;
  /** False when the branch already carried exactly this change (nothing was committed). */
  changed: boolean;
}

/**
 * The "local" provider: a working clone of the configured repository, a branch
 * `sleuth/<incident-id>-<slug>` per incident, commits by Sleuth's identity with a
 * `Sleuth-Incident:` trailer, pushed to the remote. It never pushes to the default branch,
 * never force-pushes, and declines when the branch on the remote carries someone else's commit.
 * One instance per working folder; calls must not overlap.
 */
export class LocalGitProvider {
  readonly config: GitRepoConfig;
  private synced: { defaultBranch: string; head: string } | undefined;

  constructor(
    config: GitRepoConfigInput,
    readonly workDir: string,
  ) {
    this.config = GitRepoConfig.parse(config);
  }

  /** The remote URL without credentials, for messages and proposals. */
  get label(): string {
    return redactUrl(this.config.url);
  }

  /** Clones the repository (first run) or fetches it, and checks out the default branch's head, clean. */
  async sync(): Promise<{ defaultBranch: string; head: string }> {
    const dir = resolve(this.workDir);
    if (!existsSync(join(dir, '.git'))) {
      if (existsSync(dir) && (await readdir(dir)).length > 0)
        throw new GitError(
          `${dir} exists and is not a git working folder; give Sleuth an empty folder`,
          false,
        );
      await mkdir(dirname(dir), { recursive: true });
      await git(dirname(dir), ['clone', '--no-checkout', '--origin', 'origin', '--', this.config.url, dir]);
      await writeFile(join(dir, '.git', MARKER), "Sleuth's working clone: reset on every run.\n");
    } else {
      // Sync resets the folder and deletes untracked files: never do that to someone's checkout.
      if (!existsSync(join(dir, '.git', MARKER)))
        throw new GitError(
          `${dir} is a git working folder Sleuth did not create; give Sleuth a folder of its own`,
          false,
        );
      await git(dir, ['remote', 'set-url', 'origin', this.config.url]);
      await git(dir, ['fetch', '--prune', 'origin']);
    }
    const defaultBranch = this.config.defaultBranch ?? (await this.remoteHead(dir));
    await git(dir, ['checkout', '--force', '--detach', `refs/remotes/origin/${defaultBranch}`]);
    await git(dir, ['clean', '-ffdx']);
    const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    this.synced = { defaultBranch, head };
    return this.synced;
  }

  private async remoteHead(dir: string): Promise<string> {
    const out = await git(dir, ['ls-remote', '--symref', 'origin', 'HEAD']);
    const m = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(out);
    if (!m?.[1] || !BRANCH_NAME.test(m[1]))
      throw new GitError(`the remote does not say which branch is its default; set defaultBranch`, false);
    return m[1];
  }

  /**
   * Writes the files on the incident's branch (the one already on the remote, else a new one
   * from the default branch), commits and pushes. A second run for the same incident adds a
   * commit to the same branch; files an earlier run changed that this fix no longer touches go
   * back to their state at the branch point, so the branch always carries the latest proposal.
   */
  async pushFix(fix: FixCommit): Promise<BranchResult | Decline> {
    if (!this.synced) await this.sync();
    const { defaultBranch, head: base } = this.synced ?? { defaultBranch: '', head: '' };
    const dir = resolve(this.workDir);
    if (!INCIDENT_ID.test(fix.incidentId))
      return decline('invalid-patch', 'the incident id cannot be part of a branch name');
    const prefix = `sleuth/${fix.incidentId}-`;
    const existing = await this.incidentBranch(
      dir,
      `refs/remotes/origin/${defaultBranch}`,
      fix.incidentId,
      fix.slug,
    );
    const branch = existing ?? `${prefix}${fix.slug}`;
    if (branch === defaultBranch || !branch.startsWith('sleuth/') || !BRANCH_NAME.test(branch))
      return decline('invalid-patch', `refusing to push to ${branch}`);
    await git(dir, ['check-ref-format', '--branch', branch]);

    if (existing) {
      const foreign = await this.foreignAuthors(
        dir,
        `refs/remotes/origin/${defaultBranch}`,
        `refs/remotes/origin/${branch}`,
      );
      if (foreign.length > 0)
        return decline(
          'branch-conflict',
          `the branch ${branch} on the remote has commits by ${foreign.join(', ')}; Sleuth does not push over other people's commits. Merge or delete that branch and run again`,
        );
      await git(dir, ['checkout', '--force', '-B', branch, `refs/remotes/origin/${branch}`]);
      await this.restoreOthers(
        dir,
        `refs/remotes/origin/${defaultBranch}`,
        fix.files.map((f) => f.path),
      );
    } else {
      await git(dir, ['checkout', '--force', '-B', branch, base]);
    }
    for (const f of fix.files) {
      const rel = repoPath(f.path);
      if (rel === undefined || rel === '.' || rel.split('/').includes('.git'))
        return decline('invalid-patch', `refusing to write ${f.path}`);
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), f.content);
      await git(dir, ['add', '--', rel]);
    }
    const staged = await runGit(dir, ['diff', '--cached', '--quiet']);
    if (staged.code === 0) {
      const commit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
      return { branch, commit, defaultBranch, base, created: false, changed: false };
    }
    const { name, email } = this.config.identity;
    await git(dir, [
      '-c',
      `user.name=${name}`,
      '-c',
      `user.email=${email}`,
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--no-verify',
      '--quiet',
      '-m',
      fix.title,
      '-m',
      fix.body,
      '-m',
      `Sleuth-Incident: ${fix.incidentId}`,
    ]);
    // No --force: the push is a fast-forward of the remote branch or it fails.
    await git(dir, ['push', '--porcelain', '--no-verify', 'origin', `HEAD:refs/heads/${branch}`]);
    const commit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    return { branch, commit, defaultBranch, base, created: existing === undefined, changed: true };
  }

  /**
   * The incident's branch on the remote: the one named for this fix, else a `sleuth/<incident>-`
   * branch one of whose commits carries the incident's trailer (so incident `inc-1` never takes
   * over the branch of `inc-1-2`).
   */
  private async incidentBranch(dir: string, base: string, incidentId: string, slug: string) {
    const prefix = `sleuth/${incidentId}-`;
    const names = (
      await git(dir, ['for-each-ref', '--format=%(refname:strip=3)', 'refs/remotes/origin/sleuth/'])
    )
      .split('\n')
      .filter((b) => b.startsWith(prefix))
      .sort();
    if (names.includes(`${prefix}${slug}`)) return `${prefix}${slug}`;
    for (const b of names) {
      const trailers = await git(dir, [
        'log',
        '--format=%(trailers:key=Sleuth-Incident,valueonly)',
        `${base}..refs/remotes/origin/${b}`,
      ]);
      if (trailers.split('\n').some((t) => t.trim() === incidentId)) return b;
    }
    return undefined;
  }

  /** Authors of commits on `branch` that are not on `base` and are not Sleuth's identity. */
  private async foreignAuthors(dir: string, base: string, branch: string): Promise<string[]> {
    const { name, email } = this.config.identity;
    const out = await git(dir, ['log', '--format=%an <%ae>', `${base}..${branch}`]);
    const authors = out.split('\n').filter((l) => l !== '' && l !== `${name} <${email}>`);
    return [...new Set(authors)];
  }

  /** Puts files the branch changed, other than `keep`, back as they were where it left `base`. */
  private async restoreOthers(dir: string, base: string, keep: string[]): Promise<void> {
    const fork = (await git(dir, ['merge-base', base, 'HEAD'])).trim();
    const changed = (await git(dir, ['diff', '--name-only', '-z', fork, 'HEAD'])).split('\0').filter(Boolean);
    for (const f of changed) {
      if (keep.includes(f)) continue;
      const existed = (await runGit(dir, ['cat-file', '-e', `${fork}:${f}`])).code === 0;
      if (existed) await git(dir, ['checkout', fork, '--', f]);
      else await git(dir, ['rm', '--quiet', '--', f]);
    }
  }
}
