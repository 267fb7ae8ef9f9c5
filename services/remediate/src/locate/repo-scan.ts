import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** Kustomize reads the first of these names it finds in a directory. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
/** Larger files are not read: manifests are small, and a huge file is generated data. */
export const MAX_FILE_BYTES = 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules']);
/** A bound on the walk, so a wrong repo (a monorepo's root) fails fast instead of reading for minutes. */
const MAX_ENTRIES = 50_000;

/** What a repository working tree holds, by repo-relative POSIX path. */
export interface RepoScan {
  /** `.yaml`/`.yml` files and `Kustomization` files, sorted. */
  yamlFiles: string[];
  /** Directory → its kustomization file. The root directory is `.`. */
  kustomizations: Map<string, string>;
  /** Directories holding a `Chart.yaml`. */
  charts: string[];
  /** Files over 1 MiB that were not read. */
  tooLarge: string[];
  /** True when the walk stopped at MAX_ENTRIES. */
  truncated: boolean;
}

export function dirOf(rel: string): string {
  return posix.dirname(rel);
}

/** True when `rel` is `dir` or inside it (`.` holds everything). */
export function isUnder(rel: string, dir: string): boolean {
  return dir === '.' || rel === dir || rel.startsWith(`${dir}/`);
}

/**
 * Walks a working tree for manifests: skips `.git`, `node_modules`, symbolic links (they could
 * lead out of the repository) and files over 1 MiB.
 */
export async function scanRepo(root: string): Promise<RepoScan> {
  const out: RepoScan = {
    yamlFiles: [],
    kustomizations: new Map(),
    charts: [],
    tooLarge: [],
    truncated: false,
  };
  let seen = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > MAX_ENTRIES) {
        out.truncated = true;
        return;
      }
      const child = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(child);
        continue;
      }
      if (!e.isFile()) continue;
      const isKustomization = KUSTOMIZATION_NAMES.some((n) => n === e.name);
      if (e.name === 'Chart.yaml') out.charts.push(rel);
      if (!isKustomization && !/\.ya?ml$/.test(e.name)) continue;
      if ((await stat(join(root, child))).size > MAX_FILE_BYTES) {
        out.tooLarge.push(child);
        continue;
      }
      out.yamlFiles.push(child);
      if (isKustomization && !out.kustomizations.has(rel)) out.kustomizations.set(rel, child);
    }
  };
  await walk('.');
  return out;
}
