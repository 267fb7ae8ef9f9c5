import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../field-path';
import { UNKNOWN, type Scope } from './helm-expr';
import { templateDocs, type TemplateDoc } from './helm-template';
import { definesOf, parseTemplate, renderNodes, type TNode } from './helm-text';
import { isUnder, MAX_FILE_BYTES, type RepoScan } from './repo-scan';

/** A chart in the repository: its metadata, named templates and template documents. */
export interface HelmChart {
  /** The chart's directory (repo-relative). */
  dir: string;
  name: string;
  version: string;
  appVersion: string | undefined;
  /** `define`d templates from every file under templates/. */
  defines: Map<string, TNode[]>;
  /** Every document of every rendered template (templates/ files not starting with `_`). */
  docs: TemplateDoc[];
  /** Template files Sleuth could not read, for the reasons of a decline. */
  notes: string[];
}

/** The release an evaluation is for: its name and namespace (UNKNOWN when not in the repo). */
export interface ReleaseIdentity {
  name: string;
  namespace: string | undefined;
}

/** Nested helper calls deeper than this are not followed. */
const MAX_INCLUDE_DEPTH = 20;

/** Charts of the scan that Helm would install on their own (a chart's `charts/` holds its subcharts). */
export function topLevelCharts(scan: RepoScan): string[] {
  return scan.charts.filter(
    (c) => !scan.charts.some((p) => p !== c && isUnder(c, p === '.' ? 'charts' : `${p}/charts`)),
  );
}

async function templateFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory() && depth < 5) await walk(child, depth + 1);
      else if (e.isFile() && /\.(ya?ml|tpl)$/.test(e.name)) out.push(child);
    }
  };
  await walk(dir === '.' ? 'templates' : `${dir}/templates`, 0);
  return out;
}

/** Reads a chart: Chart.yaml, its named templates and its template documents. */
export async function loadChart(root: string, dir: string): Promise<HelmChart> {
  const notes: string[] = [];
  let meta: Record<string, unknown> = {};
  try {
    const doc: unknown = parse(await readFile(join(root, dir, 'Chart.yaml'), 'utf8'));
    if (isRecord(doc)) meta = doc;
  } catch {
    notes.push(`${dir}/Chart.yaml could not be read`);
  }
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  const chart: HelmChart = {
    dir,
    name: str(meta['name']) ?? posix.basename(dir),
    version: str(meta['version']) ?? '',
    appVersion: str(meta['appVersion']),
    defines: new Map(),
    docs: [],
    notes,
  };
  for (const f of await templateFiles(root, dir)) {
    let text: string;
    try {
      if ((await stat(join(root, f))).size > MAX_FILE_BYTES) continue;
      text = await readFile(join(root, f), 'utf8');
    } catch {
      notes.push(`${f} could not be read`);
      continue;
    }
    const nodes = parseTemplate(text);
    if (nodes) definesOf(nodes, chart.defines);
    else notes.push(`${f} has template blocks that do not balance`);
    if (!posix.basename(f).startsWith('_')) chart.docs.push(...templateDocs(f, text));
  }
  return chart;
}

/**
 * The scope templates are evaluated in: `.Values` (the release's merged values), `.Release`,
 * `.Chart`, and the chart's named templates for `include`. `.Capabilities`, `.Files` and
 * anything else read as "cannot tell".
 */
export function chartScope(
  chart: HelmChart,
  release: ReleaseIdentity,
  values: Record<string, unknown>,
): Scope {
  const root = {
    Values: values,
    Release: {
      Name: release.name,
      Namespace: release.namespace ?? UNKNOWN,
      Service: 'Helm',
      IsInstall: UNKNOWN,
      IsUpgrade: UNKNOWN,
      Revision: UNKNOWN,
    },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? null },
  };
  const scopeAt = (dot: unknown, depth: number): Scope => ({
    dot,
    root: dot,
    vars: new Map(),
    include: (name, ctx) => {
      const body = chart.defines.get(name);
      return body && depth < MAX_INCLUDE_DEPTH ? renderNodes(body, scopeAt(ctx, depth + 1)) : UNKNOWN;
    },
  });
  return scopeAt(root, 0);
}
