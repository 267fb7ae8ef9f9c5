import { posix } from 'node:path';
import { key } from '../field-path';
import { evalPipeline, parsePipeline, truthy, UNKNOWN, type Scope } from './helm-expr';
import { chartScope, loadChart, topLevelCharts, type HelmChart } from './helm-chart';
import { renderField } from './helm-field';
import { decline } from '../decline';
import { argoRelease } from './helm-argo';
import { fluxRelease } from './helm-flux';
import { helmfileReleases } from './helm-helmfile';
import { chartDefaults, refOf, type HelmRelease, type WrapperObject } from './helm-release';
import type { TemplateDoc } from './helm-template';
import { mergeValues } from './helm-values';
import type { ManifestFiles } from './manifest-files';
import { isUnder, type RepoScan } from './repo-scan';

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** The chart directory a path belongs to, if any. */
export function chartOf(scan: RepoScan, rel: string): string | undefined {
  return (
    scan.charts.find((c) => c !== '.' && isUnder(rel, c)) ?? (scan.charts.includes('.') ? '.' : undefined)
  );
}

/** A template document of a chart that renders the object, for one release of the chart. */
export interface HelmMatch {
  chart: HelmChart;
  release: HelmRelease;
  /** The release name the document was evaluated with (one that renders the object's name). */
  releaseName: string;
  doc: TemplateDoc;
  /** The release's merged values. */
  values: Record<string, unknown>;
  scope: Scope;
  /** The chart's other releases in the repository (an edit of a file they share changes them too). */
  siblings: HelmRelease[];
}

export interface HelmSearch {
  matches: HelmMatch[];
  /** What a person should know when nothing matched (charts from outside the repo, unreadable files). */
  notes: string[];
  /** Documents of the object's kind whose name or conditions Sleuth cannot evaluate. */
  unread: string[];
}

/** A wrapper object found in the repository, and whether it is under the configured paths. */
export type FoundWrapper = WrapperObject & { inPaths: boolean };

/**
 * Release names that could render `name`: every run of its dash-separated parts. Charts put the
 * release name into object names as it is (`{{ .Release.Name }}-cart`, `cart.fullname`), so a
 * release whose name is not in the repository can only be one of these.
 */
function releaseNames(name: string): string[] {
  const parts = name.split('-');
  const out = new Set<string>();
  for (let i = 0; i < parts.length; i++)
    for (let j = i + 1; j <= parts.length; j++) out.add(parts.slice(i, j).join('-'));
  return [...out];
}

/** Whether the document's own conditionals (`{{- if .Values.autoscaling.enabled }}`) let it render. */
export function docRenders(doc: TemplateDoc, scope: Scope): boolean | undefined {
  for (const g of doc.docGuards) {
    const cond = /^if\s(.*)$/s.exec(g.src)?.[1];
    const pipe = cond === undefined ? undefined : parsePipeline(cond);
    const v = pipe ? evalPipeline(pipe, scope) : UNKNOWN;
    if (v === UNKNOWN) return undefined;
    if (!truthy(v)) return false;
  }
  return true;
}

const textAt = (doc: TemplateDoc, path: string[], scope: Scope): string | undefined => {
  const v = renderField(doc.root, path.map(key), scope);
  return v.found && typeof v.value === 'string' ? v.value : undefined;
};

/** What installs charts of the repository: releases, and why some wrappers do not count. */
async function wrapperReleases(
  files: ManifestFiles,
  charts: readonly string[],
  w: WrapperObject,
): Promise<HelmRelease | string | undefined> {
  const r =
    w.kind === 'HelmRelease' ? await fluxRelease(files, charts, w) : await argoRelease(files, charts, w);
  if (typeof r === 'object' && w.changedBy !== undefined)
    r.blocked ??= decline(
      'unsupported',
      `${refOf(w)} is changed by ${w.changedBy} on its way to the cluster; Sleuth reads it only as its file writes it, so change the value by hand`,
    );
  return r;
}

/** The releases of each chart: from wrappers under the paths, else one release the repo does not name. */
async function releasesByChart(
  files: ManifestFiles,
  scan: RepoScan,
  charts: string[],
  wrappers: readonly FoundWrapper[],
  inPaths: (rel: string) => boolean,
  notes: string[],
): Promise<Map<string, HelmRelease[]>> {
  const out = new Map<string, HelmRelease[]>(charts.map((c) => [c, []]));
  const installed = new Set<string>();
  for (const w of wrappers) {
    const r = await wrapperReleases(files, charts, w);
    if (typeof r === 'string') notes.push(r);
    if (typeof r !== 'object') continue;
    installed.add(r.chart);
    if (w.inPaths) out.get(r.chart)?.push(r);
  }
  for (const f of scan.yamlFiles)
    if (/^helmfile\.ya?ml$/.test(posix.basename(f)) && chartOf(scan, f) === undefined)
      for (const r of await helmfileReleases(files, charts, f)) {
        installed.add(r.chart);
        if (inPaths(f)) out.get(r.chart)?.push(r);
      }
  for (const c of charts)
    if (!installed.has(c) && inPaths(c))
      out.get(c)?.push({
        chart: c,
        name: undefined,
        namespace: undefined,
        by: undefined,
        sources: await chartDefaults(files, c),
      });
  return out;
}

/**
 * The chart template documents that render `ref`: for each release of each chart in the repo,
 * each document whose own conditionals hold and whose kind, name and namespace evaluate to the
 * object's. A release the repo does not name matches when some release name renders the name.
 */
export async function findHelmObjects(
  root: string,
  files: ManifestFiles,
  scan: RepoScan,
  ref: ObjectRef,
  wrappers: readonly FoundWrapper[],
  inPaths: (rel: string) => boolean,
): Promise<HelmSearch> {
  const notes: string[] = [];
  const unread: string[] = [];
  const matches: HelmMatch[] = [];
  const charts = topLevelCharts(scan);
  if (charts.length === 0) return { matches, notes, unread };
  const byChart = await releasesByChart(files, scan, charts, wrappers, inPaths, notes);
  for (const [dir, releases] of byChart) {
    if (releases.length === 0) continue;
    const chart = await loadChart(root, dir);
    notes.push(...chart.notes);
    for (const release of releases) {
      const values = mergeValues(release.sources);
      for (const doc of chart.docs) {
        const names = release.name !== undefined ? [release.name] : releaseNames(ref.name);
        const first = chartScope(
          chart,
          { name: names[0] ?? ref.name, namespace: release.namespace ?? ref.namespace },
          values,
        );
        const kind = textAt(doc, ['kind'], first);
        if (kind !== ref.kind) continue;
        let readable = false;
        for (const name of names) {
          const scope = chartScope(chart, { name, namespace: release.namespace ?? ref.namespace }, values);
          const renders = docRenders(doc, scope);
          const objName = textAt(doc, ['metadata', 'name'], scope);
          if (renders === undefined || objName === undefined) continue;
          readable = true;
          if (!renders || objName !== ref.name) continue;
          const ns = textAt(doc, ['metadata', 'namespace'], scope) ?? release.namespace;
          if (ns !== undefined && ref.namespace !== undefined && ns !== ref.namespace) continue;
          const siblings = releases.filter((r) => r !== release);
          matches.push({ chart, release, releaseName: name, doc, values, scope, siblings });
          break;
        }
        if (!readable) unread.push(doc.file);
      }
    }
  }
  return { matches, notes, unread: [...new Set(unread)] };
}
