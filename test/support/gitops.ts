import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ManifestPatch, RootCause } from '@sleuth/core';

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures/gitops/', import.meta.url));

/** A person's identity for the fixture history: Sleuth must tell its own commits from theirs. */
export const ALICE = { name: 'Alice Ops', email: 'alice@example.com' };
export const SLEUTH = { name: 'Sleuth', email: 'sleuth@sleuth.invalid' };

/** Runs git in `dir` as Alice, with no global or system configuration in the way. */
export async function gitIn(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', `user.name=${ALICE.name}`, '-c', `user.email=${ALICE.email}`, ...args],
    {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    },
  );
  return stdout;
}

export interface GitopsRepo {
  /** Alice's clone, on `main`. */
  seed: string;
  /** The bare remote Sleuth pushes to (a local path is a URL git understands). */
  remote: string;
  /** An empty folder for Sleuth's working clone. */
  work: string;
  /** The head of `branch` on the remote, or undefined when it does not exist. */
  head(branch: string): Promise<string | undefined>;
  /** A file as `ref` holds it on the remote. */
  show(ref: string, path: string): Promise<string>;
  /** The fixture file as committed on main. */
  original(path: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A fixture repo (test/fixtures/gitops/NAME) committed by Alice on `main`, cloned bare as the remote. */
export async function makeGitopsRepo(name: 'plain' | 'kustomize' | 'helm'): Promise<GitopsRepo> {
  const root = await mkdtemp(join(tmpdir(), `sleuth-gitops-${name}-`));
  const seed = join(root, 'seed');
  const remote = join(root, 'remote.git');
  await cp(join(FIXTURES, name), seed, { recursive: true });
  await gitIn(seed, 'init', '--quiet', '-b', 'main');
  await gitIn(seed, 'add', '-A');
  await gitIn(seed, 'commit', '--quiet', '-m', `The ${name} manifests`);
  await gitIn(root, 'clone', '--quiet', '--bare', seed, remote);
  return {
    seed,
    remote,
    work: join(root, 'sleuth-work'),
    async head(branch) {
      try {
        return (await gitIn(remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`)).trim();
      } catch {
        return undefined;
      }
    },
    show: (ref, path) => gitIn(remote, 'show', `${ref}:${path}`),
    original: (path) => readFile(join(FIXTURES, name, path), 'utf8'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A root cause as the rule engine ranks it, carrying `patch`. */
export function rootCauseWith(
  failureMode: string,
  patch: ManifestPatch | undefined,
  origin: 'rules' | 'llm' = 'rules',
): RootCause {
  return {
    id: `rc_${failureMode}`,
    failureMode,
    resource: {
      cluster: 'prod',
      namespace: patch?.namespace ?? 'shop',
      kind: 'Pod',
      name: 'cart-7d9f8-x2x4q',
    },
    hypothesis: `${failureMode} on ${patch?.name ?? '?'}`,
    confidence: 0.9,
    rank: 1,
    evidence: [],
    origin,
    remediation: { steps: ['see the patch'], commands: [], ...(patch ? { patch } : {}) },
  };
}

/** The `-`/`+` lines of a unified diff, without its `---`/`+++` headers. */
export function changedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) [ab]\//.test(l));
}
