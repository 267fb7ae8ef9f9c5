import { decline } from '../decline';
import { isRecord } from '../field-path';
import { chartDefaults, rec, str, type HelmRelease } from './helm-release';
import { repoPath, type ManifestFiles } from './manifest-files';
import { dirOf } from './repo-scan';

/**
 * Releases of a helmfile (`releases[].chart` naming a chart directory). Sleuth does not read
 * helmfiles' values and environments yet, so these releases only decline, by name.
 */
export async function helmfileReleases(
  files: ManifestFiles,
  charts: readonly string[],
  file: string,
): Promise<HelmRelease[]> {
  const f = await files.read(file);
  const text = 'error' in f ? '' : f.text;
  let entries: { name?: string; chart: string }[];
  const doc = 'error' in f ? undefined : f.docs[0];
  if (isRecord(doc) && Array.isArray(doc['releases']))
    entries = doc['releases'].flatMap((x) => {
      const chart = str(rec(x)['chart']);
      const name = str(rec(x)['name']);
      return chart ? [{ chart, ...(name ? { name } : {}) }] : [];
    });
  else
    entries = [...text.matchAll(/^\s*-?\s*chart:\s*["']?([^\s"']+)/gm)].map((m) => ({ chart: m[1] ?? '' }));
  const dir = dirOf(file);
  const out: HelmRelease[] = [];
  for (const e of entries) {
    const chart = repoPath(dir === '.' ? e.chart : `${dir}/${e.chart}`);
    if (chart === undefined || !charts.includes(chart)) continue;
    out.push({
      chart,
      name: e.name,
      namespace: undefined,
      by: `release ${e.name ?? '?'} of ${file}`,
      sources: await chartDefaults(files, chart),
      blocked: decline(
        'unsupported',
        `the Helm chart at ${chart} is installed by ${file}, which Sleuth does not read yet; change the value by hand`,
      ),
    });
  }
  return out;
}
