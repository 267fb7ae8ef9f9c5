import { decline } from '../decline';
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
import { isRecord } from '../field-path';

/** A Flux HelmRelease whose chart is a path of this repository (a GitRepository source). */
export async function fluxRelease(
  files: ManifestFiles,
  charts: readonly string[],
  w: WrapperObject,
): Promise<HelmRelease | string | undefined> {
  const spec = rec(w.value['spec']);
  const chartSpec = rec(rec(spec['chart'])['spec']);
  const chartRef = str(chartSpec['chart']);
  const by = refOf(w);
  if (chartRef === undefined)
    return spec['chartRef'] ? `${by} takes its chart from spec.chartRef, outside the repository` : undefined;
  const sourceKind = str(rec(chartSpec['sourceRef'])['kind']);
  if (sourceKind !== 'GitRepository')
    return `${by} installs the chart ${chartRef} from a ${sourceKind ?? 'source'}, not from this repository`;
  const chart = repoPath(chartRef);
  if (chart === undefined || !charts.includes(chart))
    return `${by} names the chart ${chartRef}, which is not a chart in this repository`;
  const target = str(spec['targetNamespace']);
  const r: HelmRelease = {
    chart,
    name: str(spec['releaseName']) ?? (target ? `${target}-${w.name}` : w.name),
    namespace: target ?? w.namespace,
    by,
    sources: [],
  };
  if ((Array.isArray(spec['valuesFrom']) && spec['valuesFrom'].length > 0) || isRecord(spec['valuesFrom']))
    r.blocked = decline(
      'unsupported',
      `${by} also takes values from ConfigMaps or Secrets (spec.valuesFrom), which Sleuth cannot read; change the value by hand`,
    );
  else if (Array.isArray(spec['postRenderers']) && spec['postRenderers'].length > 0)
    r.blocked = decline(
      'unsupported',
      `${by} post-renders the chart (spec.postRenderers), which can change any field; change it by hand`,
    );
  // Flux replaces the chart's values.yaml with the merged valuesFiles (paths in the source) when it has them.
  const listed =
    strs(chartSpec['valuesFiles']) ??
    (str(chartSpec['valuesFile']) ? [str(chartSpec['valuesFile']) ?? ''] : []);
  if (listed.length === 0) r.sources.push(...(await chartDefaults(files, chart)));
  else
    await addFiles(
      files,
      r,
      listed.map((p) => ({ path: repoPath(p), as: p })),
      chartSpec['ignoreMissingValuesFiles'] === true,
    );
  if (isRecord(spec['values']))
    r.sources.push(inline(w, ['spec', 'values'], spec['values'], `spec.values of ${by}`));
  return r;
}
