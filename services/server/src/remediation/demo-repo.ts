import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Document } from 'yaml';
import type { Logger } from '@sleuth/core';
import { renderGitOpsRepo, type ManifestFile } from '@sleuth/simulator';

const run = promisify(execFile);

/** Who the demo repository's commits are by: the team that owns the simulated fleet. */
const FLEET_TEAM = ['-c', 'user.name=Simulated fleet team', '-c', 'user.email=fleet-team@sleuth.invalid'];

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...FLEET_TEAM, ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** A manifest file as YAML: its comment, then each document, `---` between them. */
export function manifestText(file: ManifestFile): string {
  return file.documents
    .map((d, i) => {
      const doc = new Document(d);
      if (i === 0) doc.commentBefore = file.comment.map((l) => ` ${l}`).join('\n');
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

const README = `# Simulated fleet: GitOps repository

The desired state of Sleuth's simulated clusters, one folder per cluster
(\`clusters/<cluster>/<namespace>/<workload>.yaml\`). Sleuth proposes fixes to these manifests as
branches named \`sleuth/<incident>-<what>\`; nothing here is applied to a real cluster.
`;

/**
 * The GitOps repository of the simulated fleet, as a bare repository at `DATA_DIR/gitops-demo.git`
 * (created on first use, brought up to date with a commit on \`main\` when the fleet's manifests
 * changed). Fix branches pushed to it by Sleuth are kept. Returns its path.
 */
export async function ensureDemoRepo(dataDir: string, logger: Logger): Promise<string> {
  const bare = resolve(dataDir, 'gitops-demo.git');
  if (!existsSync(join(bare, 'HEAD'))) {
    await mkdir(bare, { recursive: true });
    await git(bare, ['init', '-q', '--bare', '-b', 'main']);
  }
  const work = await mkdtemp(join(tmpdir(), 'sleuth-demo-gitops-'));
  try {
    await git(work, ['clone', '-q', bare, '.']);
    const hasMain = (await git(work, ['ls-remote', '--heads', 'origin', 'main'])).trim() !== '';
    await git(work, hasMain ? ['checkout', '-q', 'main'] : ['symbolic-ref', 'HEAD', 'refs/heads/main']);
    await writeFile(join(work, 'README.md'), README);
    for (const f of renderGitOpsRepo()) {
      const path = join(work, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, manifestText(f));
    }
    if ((await git(work, ['status', '--porcelain'])).trim() === '') return bare;
    await git(work, ['add', '-A']);
    await git(work, [
      'commit',
      '-q',
      '-m',
      hasMain
        ? 'Update the simulated fleet to its current desired state'
        : 'The simulated fleet: desired state',
    ]);
    await git(work, ['push', '-q', 'origin', 'main']);
    logger.info(
      { repo: bare },
      hasMain ? 'updated the demo GitOps repository' : 'created the demo GitOps repository',
    );
    return bare;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
