import { parse } from 'yaml';
import { decline } from '../decline';
import { isRecord } from '../field-path';
import {
  addFiles,
  chartDefaults,
  inline,
  rec,
  refOf,
  str,
  strs,
  type HelmRelease,
  type WrapperObject,
} from './helm-release';
import { repoPath, type ManifestFiles } from './manifest-files';

/** `name=value` parameters (`--set`) as a values map: dotted names nest. */
function parameterValues(params: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const name = str(rec(p)['name']);
    const raw = rec(p)['value'];
    if (name === undefined) continue;
    let value: unknown = raw;
    if (typeof raw === 'string' && rec(p)['forceString'] !== true)
      try {
        value = parse(raw) as unknown;
      } catch {
        value = raw;
      }
    const parts = name.split('.');
    let cur = out;
    for (const k of parts.slice(0, -1)) cur = rec((cur[k] = isRecord(cur[k]) ? cur[k] : {}));
    cur[parts[parts.length - 1] ?? name] = value;
  }
  return out;
}

/** An Argo CD Application whose source path is a chart of this repository. */
export async function argoRelease(
  files: ManifestFiles,
  charts: readonly string[],
  w: WrapperObject,
): Promise<HelmRelease | string | undefined> {
  const spec = rec(w.value['spec']);
  const by = refOf(w);
  const multi = Array.isArray(spec['sources']) ? spec['sources'].map(rec) : [];
  const inRepo = (s: Record<string, unknown>): string | undefined => {
    const p = str(s['path']);
    const c = p === undefined ? undefined : repoPath(p);
    return c !== undefined && charts.includes(c) ? c : undefined;
  };
  const multiChart = multi.map(inRepo).find((c) => c !== undefined);
  if (multiChart !== undefined)
    return {
      chart: multiChart,
      name: w.name,
      namespace: str(rec(spec['destination'])['namespace']),
      by,
      sources: await chartDefaults(files, multiChart),
      blocked: decline(
        'unsupported',
        `${by} has several sources (spec.sources), which Sleuth does not follow yet; change the value by hand`,
      ),
    };
  const source = rec(spec['source']);
  const chart = inRepo(source);
  if (chart === undefined)
    return str(source['chart'])
      ? `${by} installs the chart ${str(source['chart']) ?? ''} from a Helm repository`
      : undefined;
  const helm = rec(source['helm']);
  const r: HelmRelease = {
    chart,
    name: str(helm['releaseName']) ?? w.name,
    namespace: str(rec(spec['destination'])['namespace']),
    by,
    sources: await chartDefaults(files, chart),
  };
  const valueFiles = strs(helm['valueFiles']) ?? [];
  const remote = valueFiles.find((p) => p.startsWith('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
  if (remote !== undefined)
    r.blocked = decline(
      'unsupported',
      `${by} reads the values file ${remote} from another source, which Sleuth does not fetch; change the value by hand`,
    );
  else
    await addFiles(
      files,
      r,
      valueFiles.map((p) => ({ path: repoPath(`${chart}/${p}`), as: p })),
      helm['ignoreMissingValueFiles'] === true,
    );
  if (Array.isArray(helm['fileParameters']) && helm['fileParameters'].length > 0)
    r.blocked ??= decline(
      'unsupported',
      `${by} sets values from files (spec.source.helm.fileParameters), which Sleuth does not read; change the value by hand`,
    );
  if (isRecord(helm['valuesObject']))
    r.sources.push(
      inline(
        w,
        ['spec', 'source', 'helm', 'valuesObject'],
        helm['valuesObject'],
        `spec.source.helm.valuesObject of ${by}`,
      ),
    );
  else if (typeof helm['values'] === 'string') {
    let values: unknown;
    try {
      values = parse(helm['values']) as unknown;
    } catch {
      r.blocked ??= decline(
        'unsupported',
        `the spec.source.helm.values text of ${by} does not parse as YAML`,
      );
    }
    r.sources.push({
      ...inline(w, ['spec', 'source', 'helm', 'values'], rec(values), `the helm.values text of ${by}`),
      readOnly: `it is written in the spec.source.helm.values text of ${by}, and Sleuth does not edit YAML inside a string`,
    });
  }
  if (Array.isArray(helm['parameters']) && helm['parameters'].length > 0)
    r.sources.push({
      ...inline(w, [], parameterValues(helm['parameters']), `spec.source.helm.parameters of ${by}`),
      readOnly: `it is set by spec.source.helm.parameters of ${by}`,
    });
  return r;
}
