import { readFile, realpath, stat } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { parseDocuments, type ObjectPath } from '../edit/yaml-edit';
import { isRecord } from '../field-path';
import { MAX_FILE_BYTES } from './repo-scan';

/** One Kubernetes object as a manifest file defines it. */
export interface ManifestObject {
  file: string;
  documentIndex: number;
  /** `[]`, or `['items', i]` inside a `kind: List`. */
  objectPath: ObjectPath;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  /** The object as plain data. */
  value: Record<string, unknown>;
}

export interface ParsedFile {
  text: string;
  /** Each YAML document as plain data, by document index. */
  docs: unknown[];
}

/** Normalises a path inside the repository; undefined when it leaves it (`../..` past the root). */
export function repoPath(rel: string): string | undefined {
  const p = posix.normalize(rel.replace(/\\/g, '/'));
  if (p.startsWith('../') || p === '..' || posix.isAbsolute(p)) return undefined;
  return p === '' ? '.' : p.replace(/\/$/, '');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The objects of parsed documents: each document with apiVersion, kind and a name, and List items. */
export function objectsOf(file: string, docs: readonly unknown[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  const add = (v: unknown, documentIndex: number, objectPath: ObjectPath): void => {
    if (!isRecord(v)) return;
    const kind = str(v['kind']);
    const apiVersion = str(v['apiVersion']);
    const meta = isRecord(v['metadata']) ? v['metadata'] : {};
    if (kind && apiVersion && Array.isArray(v['items']) && /List$/.test(kind)) {
      v['items'].forEach((item, i) => add(item, documentIndex, [...objectPath, 'items', i]));
      return;
    }
    const name = str(meta['name']);
    if (!kind || !apiVersion || !name) return;
    const labels: Record<string, string> = {};
    if (isRecord(meta['labels']))
      for (const [k, l] of Object.entries(meta['labels'])) if (typeof l === 'string') labels[k] = l;
    out.push({
      file,
      documentIndex,
      objectPath,
      apiVersion,
      kind,
      name,
      namespace: str(meta['namespace']),
      labels,
      value: v,
    });
  };
  docs.forEach((d, i) => add(d, i, []));
  return out;
}

/** Reads and parses repository files once each. */
export class ManifestFiles {
  private readonly cache = new Map<string, Promise<ParsedFile | { error: string }>>();
  private realRoot: Promise<string> | undefined;

  constructor(readonly root: string) {}

  /** The file's text and documents, or why it could not be read. */
  read(rel: string): Promise<ParsedFile | { error: string }> {
    let p = this.cache.get(rel);
    if (!p) {
      p = this.load(rel);
      this.cache.set(rel, p);
    }
    return p;
  }

  async objects(rel: string): Promise<ManifestObject[] | { error: string }> {
    const f = await this.read(rel);
    return 'error' in f ? f : objectsOf(rel, f.docs);
  }

  async isDirectory(rel: string): Promise<boolean | undefined> {
    try {
      return (await stat(join(this.root, rel))).isDirectory();
    } catch {
      return undefined;
    }
  }

  private async load(rel: string): Promise<ParsedFile | { error: string }> {
    try {
      const abs = join(this.root, rel);
      this.realRoot ??= realpath(this.root);
      const root = await this.realRoot;
      const real = await realpath(abs);
      if (real !== root && !real.startsWith(root + sep))
        return { error: `${rel} leads out of the repository` };
      if ((await stat(abs)).size > MAX_FILE_BYTES) return { error: `${rel} is over 1 MiB` };
      const text = await readFile(abs, 'utf8');
      const docs = parseDocuments(text);
      if (!Array.isArray(docs)) return { error: `${rel} does not parse as YAML (${docs.error})` };
      return { text, docs: docs.map((d): unknown => d.toJS({ maxAliasCount: 100 })) };
    } catch (err) {
      return { error: `${rel} could not be read (${err instanceof Error ? err.message : String(err)})` };
    }
  }
}
