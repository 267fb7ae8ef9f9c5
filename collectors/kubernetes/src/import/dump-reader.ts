import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RawObject } from '../kube-api';

/** One container's log as a dump holds it. */
export interface DumpLog {
  namespace: string;
  pod: string;
  container: string;
  lines: string[];
  /** The file it came from, and when that file was written (the dump's time), epoch ms. */
  file: string;
  fileMs: number;
}

/** Something in the dump that could not be used, and why. */
export interface Skipped {
  file: string;
  /** Item index in a List, or line number in a log file. */
  at?: number;
  reason: string;
}

/** What a dump holds: objects (events included), container logs, and what was skipped. */
export interface DumpContents {
  objects: RawObject[];
  logs: DumpLog[];
  skipped: Skipped[];
  files: number;
}

const START = /^==== START logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
const END = /^==== END logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
/** What kubectl writes in a container's log section when it could not get the log. */
const LOG_ERROR = /^(Create log request error|Request log error): /;

/** Largest file read (a namespace's pods.json of a big cluster is tens of MB). */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Splits text holding JSON documents one after another (kubectl's stdout dump, or a single file)
 * and the log sections between them. Returns the documents with their offsets, and the log blocks.
 */
function splitDocuments(text: string, file: string, fileMs: number, skipped: Skipped[]) {
  const docs: unknown[] = [];
  const logs: DumpLog[] = [];
  let i = 0;
  const n = text.length;
  let line = 1;
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) line++;
  };
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      if (c === '\n') line++;
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      // Find the end of this JSON value: depth counting outside strings.
      let depth = 0;
      let inString = false;
      let j = i;
      for (; j < n; j++) {
        const ch = text[j];
        if (inString) {
          if (ch === '\\') j++;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      const startLine = line;
      countLines(i, Math.min(j + 1, n));
      if (j >= n) {
        skipped.push({
          file,
          at: startLine,
          reason: 'a JSON document is cut short (the file ends inside it)',
        });
        break;
      }
      try {
        docs.push(JSON.parse(text.slice(i, j + 1)));
      } catch (err) {
        skipped.push({ file, at: startLine, reason: `not valid JSON: ${(err as Error).message}` });
      }
      i = j + 1;
      continue;
    }
    // A line of text: a log section's start, or something we do not know.
    const eol = text.indexOf('\n', i);
    const textLine = text.slice(i, eol < 0 ? n : eol).replace(/\r$/, '');
    const m = START.exec(textLine);
    if (m) {
      const [, container = '', namespace = '', pod = ''] = m;
      const block: DumpLog = { namespace, pod, container, lines: [], file, fileMs };
      i = eol < 0 ? n : eol + 1;
      line++;
      let closed = false;
      while (i < n) {
        const e = text.indexOf('\n', i);
        const l = text.slice(i, e < 0 ? n : e).replace(/\r$/, '');
        i = e < 0 ? n : e + 1;
        line++;
        if (END.test(l)) {
          closed = true;
          break;
        }
        if (LOG_ERROR.test(l)) {
          skipped.push({ file, at: line - 1, reason: `no log for ${namespace}/${pod} ${container}: ${l}` });
          continue;
        }
        block.lines.push(l);
      }
      // kubectl writes the log as served: a final newline gives one empty line we do not keep.
      while (block.lines.length > 0 && block.lines[block.lines.length - 1] === '') block.lines.pop();
      if (!closed)
        skipped.push({
          file,
          at: line,
          reason: `the log of ${namespace}/${pod} ${container} has no END marker`,
        });
      logs.push(block);
      continue;
    }
    skipped.push({ file, at: line, reason: `not JSON and not a log section: "${textLine.slice(0, 80)}"` });
    i = eol < 0 ? n : eol + 1;
    line++;
  }
  return { docs, logs };
}

/**
 * The objects of a document: a List (`kind: List` or `<Kind>List`, whose items may carry no kind
 * or apiVersion of their own: they are the list's) or a single object.
 */
function objectsOf(doc: unknown, file: string, skipped: Skipped[]): RawObject[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    skipped.push({ file, reason: 'a JSON document that is not a Kubernetes object or List' });
    return [];
  }
  const d = doc as RawObject & { items?: unknown };
  if (Array.isArray(d.items)) {
    const listKind = typeof d.kind === 'string' ? d.kind : '';
    const itemKind = listKind.endsWith('List') && listKind !== 'List' ? listKind.slice(0, -4) : undefined;
    const out: RawObject[] = [];
    d.items.forEach((item: unknown, at) => {
      if (typeof item !== 'object' || item === null) {
        skipped.push({ file, at, reason: 'a List item that is not an object' });
        return;
      }
      const o = item as RawObject;
      const kind = o.kind ?? itemKind;
      const apiVersion = o.apiVersion ?? d.apiVersion;
      if (!kind || !apiVersion || !o.metadata?.name) {
        skipped.push({ file, at, reason: 'a List item without kind, apiVersion or metadata.name' });
        return;
      }
      out.push({ ...o, kind, apiVersion });
    });
    return out;
  }
  if (typeof d.kind === 'string' && typeof d.apiVersion === 'string' && d.metadata?.name) return [d];
  skipped.push({ file, reason: 'a JSON document without kind, apiVersion or metadata.name' });
  return [];
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/**
 * Reads the output of `kubectl cluster-info dump` (with `--output-directory`: nodes.json and, per
 * namespace, events.json, services.json, deployments.json, replicasets.json, daemonsets.json,
 * replication-controllers.json, pods.json and `<pod>/logs.txt`; without it: everything in one
 * stream), or `kubectl get ... -o json` List files, or a folder of any of these. Files that are
 * neither JSON nor logs are skipped with a reason; nothing stops the rest.
 */
export async function readDump(path: string): Promise<DumpContents> {
  const info = await stat(path);
  const files = info.isDirectory() ? await walk(path) : [path];
  const objects: RawObject[] = [];
  const logs: DumpLog[] = [];
  const skipped: Skipped[] = [];
  let used = 0;
  for (const file of files) {
    const name = info.isDirectory() ? relative(path, file) : file;
    if (!/\.(json|txt|log|dump)$/i.test(file)) {
      skipped.push({ file: name, reason: 'not a .json, .txt, .log or .dump file' });
      continue;
    }
    const s = await stat(file);
    if (s.size > MAX_FILE_BYTES) {
      skipped.push({ file: name, reason: `larger than ${MAX_FILE_BYTES / 2 ** 20} MiB` });
      continue;
    }
    const text = await readFile(file, 'utf8');
    used++;
    // A logs.txt of the directory layout is one container section after another.
    const split = splitDocuments(text, name, s.mtimeMs, skipped);
    for (const doc of split.docs) objects.push(...objectsOf(doc, name, skipped));
    logs.push(...split.logs);
  }
  return { objects, logs, skipped, files: used };
}
