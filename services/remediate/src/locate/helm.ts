import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { isUnder, type RepoScan } from './repo-scan';

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function chartName(root: string, chart: string): Promise<string> {
  try {
    const doc: unknown = parse(await readFile(join(root, chart, 'Chart.yaml'), 'utf8'));
    if (typeof doc === 'object' && doc !== null && 'name' in doc && typeof doc.name === 'string')
      return doc.name;
  } catch {
    // An unreadable Chart.yaml still marks a chart; its directory name stands in.
  }
  return posix.basename(chart);
}

/** The text after `name:` in a template section's metadata, without quotes. */
function metadataName(section: string): string | undefined {
  const meta = /^metadata:[ \t]*\r?\n((?:[ \t]+.*(?:\r?\n|$))+)/m.exec(section);
  const name = meta?.[1] ? /^[ \t]+name:[ \t]*(.+?)[ \t]*$/m.exec(meta[1]) : undefined;
  return name?.[1]?.replace(/^["']|["']$/g, '');
}

/**
 * The Helm chart whose templates appear to produce the object, for a decline that points at it.
 * Templates are not YAML until rendered, so this reads them as text: a section declaring the
 * kind whose name is the object's name, or a template expression in a chart whose name is part
 * of the object's name (`{{ include "cart.fullname" . }}` → `cart`, `prod-cart`). It never
 * leads to an edit, only to the reason for declining one.
 */
export async function helmChartFor(
  root: string,
  scan: RepoScan,
  ref: ObjectRef,
): Promise<string | undefined> {
  const kindLine = new RegExp(`^kind:[ \\t]*["']?${escapeRegExp(ref.kind)}["']?[ \\t]*$`, 'm');
  for (const chart of scan.charts) {
    const name = await chartName(root, chart);
    const templates = scan.yamlFiles.filter((f) =>
      isUnder(f, chart === '.' ? 'templates' : `${chart}/templates`),
    );
    for (const t of templates) {
      let text: string;
      try {
        text = await readFile(join(root, t), 'utf8');
      } catch {
        continue;
      }
      for (const section of text.split(/^---.*$/m)) {
        if (!kindLine.test(section)) continue;
        const n = metadataName(section);
        if (n === ref.name) return chart;
        if (n?.includes('{{') && (ref.name.includes(name) || ref.name.includes(posix.basename(chart))))
          return chart;
      }
    }
  }
  return undefined;
}

/** The chart directory a path belongs to, if any. */
export function chartOf(scan: RepoScan, rel: string): string | undefined {
  return (
    scan.charts.find((c) => c !== '.' && isUnder(rel, c)) ?? (scan.charts.includes('.') ? '.' : undefined)
  );
}
