import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RawObject } from '../kube-api';
import { JsonDocument, objectsOf } from './json-documents';
import { countSections, linesOf, sectionLine, sectionStart, type SectionHeader } from './log-sections';

/** Something in the dump that could not be used, and why. */
export interface Skipped {
  /** The file, relative to the dump folder. */
  file: string;
  /** Line in the file (1-based), when it is known. */
  line?: number;
  /** Item index in a List, when the problem is one item. */
  item?: number;
  reason: string;
}

/** One container's log in the dump. The same object comes with every chunk of its lines. */
export interface DumpLogSection {
  file: string;
  /** When the file was written (the dump's time), epoch ms. */
  fileMs: number;
  namespace: string;
  pod: string;
  /** Undefined when the dump does not say (a `<pod>/logs.txt` without sections): the pod's only one. */
  container: string | undefined;
  /** Lines in the whole section, so a chunk's lines can be placed in the container's run. */
  total: number;
}

/** What reading a dump yields, in file order; nothing is held beyond the item at hand. */
export type DumpItem =
  | { type: 'file'; file: string }
  | { type: 'objects'; file: string; fileMs: number; objects: RawObject[] }
  /** Lines `first` … `first + lines.length - 1` of a section, in order, blank lines left out. */
  | { type: 'log'; section: DumpLogSection; first: number; lines: string[] }
  | { type: 'skipped'; skipped: Skipped };

/** Log lines per `log` item. */
const CHUNK_LINES = 1000;
const READABLE = /(\.(json|txt|log|dump)|^[^.]+)$/i;
const TEXT_LOG = /\.(txt|log)$/i;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/**
 * The container a section-less log file belongs to, from where it sits in the dump folder:
 * `<namespace>/<pod>/logs.txt` (the pod's only container) or `<namespace>/<pod>/<container>/*.txt`.
 */
function plainLogOf(name: string): (Omit<SectionHeader, 'container'> & { container?: string }) | undefined {
  if (!TEXT_LOG.test(name)) return undefined;
  const parts = name.split(sep);
  if (parts.length === 3 && parts[2]?.toLowerCase() === 'logs.txt')
    return { namespace: parts[0] ?? '', pod: parts[1] ?? '' };
  if (parts.length === 4)
    return { namespace: parts[0] ?? '', pod: parts[1] ?? '', container: parts[2] ?? '' };
  return undefined;
}

/** Lines that are neither JSON nor a log section, reported as one run rather than line by line. */
class StrayLines {
  private from = 0;
  private count = 0;
  private sample = '';
  add(line: number, text: string): void {
    if (this.count === 0) {
      this.from = line;
      this.sample = text.slice(0, 80);
    }
    this.count++;
  }
  take(file: string): Skipped | undefined {
    if (this.count === 0) return undefined;
    const what = this.count === 1 ? 'a line' : `${this.count} lines`;
    const out = { file, line: this.from, reason: `${what} neither JSON nor a log section: "${this.sample}"` };
    this.count = 0;
    return out;
  }
}

/** JSON documents and log sections one after another: a file of the folder layout, or the stdout stream. */
async function* documentsAndSections(
  lines: AsyncIterable<string> | Iterable<string>,
  name: string,
  fileMs: number,
  counts: number[],
): AsyncGenerator<DumpItem> {
  let lineNo = 0;
  let doc: JsonDocument | undefined;
  let section: { header: SectionHeader; log: DumpLogSection; first: number; lines: string[] } | undefined;
  let sections = 0;
  const stray = new StrayLines();
  const strayItem = (): DumpItem[] => {
    const s = stray.take(name);
    return s ? [{ type: 'skipped', skipped: s }] : [];
  };
  const flush = function* (): Generator<DumpItem> {
    if (!section || section.lines.length === 0) return;
    yield { type: 'log', section: section.log, first: section.first, lines: section.lines };
    section.first += section.lines.length;
    section.lines = [];
  };
  const cutShort = (d: JsonDocument): DumpItem => ({
    type: 'skipped',
    skipped: { file: name, line: d.line, reason: 'a JSON document is cut short (it never closes)' },
  });
  const noEnd = (h: SectionHeader): DumpItem => ({
    type: 'skipped',
    skipped: {
      file: name,
      line: lineNo,
      reason: `the log of ${h.namespace}/${h.pod} ${h.container} has no END marker (the dump is cut short?)`,
    },
  });

  for await (const line of lines) {
    lineNo++;
    const start = sectionStart(line);
    if (start) {
      yield* strayItem();
      if (doc) yield cutShort(doc);
      doc = undefined;
      if (section) {
        yield* flush();
        yield noEnd(section.header);
      }
      const log = { file: name, fileMs, ...start, total: counts[sections++] ?? 0 };
      section = { header: start, log, first: 0, lines: [] };
      continue;
    }
    if (section) {
      const c = sectionLine(line, section.header);
      if (c.kind === 'error') {
        const h = section.header;
        yield {
          type: 'skipped',
          skipped: {
            file: name,
            line: lineNo,
            reason: `no log of ${h.namespace}/${h.pod} ${h.container}: ${c.reason}`,
          },
        };
      } else if (c.kind === 'line' || (c.kind === 'end' && c.last !== undefined)) {
        section.lines.push(c.kind === 'end' ? (c.last ?? '') : line);
        if (section.lines.length >= CHUNK_LINES) yield* flush();
      }
      if (c.kind === 'end') {
        yield* flush();
        section = undefined;
      }
      continue;
    }
    let rest = line;
    while (rest !== '') {
      if (!doc) {
        const trimmed = rest.trimStart();
        if (trimmed === '') break;
        if (trimmed[0] !== '{' && trimmed[0] !== '[') {
          stray.add(lineNo, trimmed);
          break;
        }
        yield* strayItem();
        doc = new JsonDocument(lineNo);
        rest = trimmed;
      }
      const end = doc.feed(rest);
      if (end < 0) break;
      const done = doc;
      doc = undefined;
      rest = rest.slice(end);
      const parsed = done.parse();
      if (!parsed.ok) {
        yield { type: 'skipped', skipped: { file: name, line: done.line, reason: parsed.reason } };
        continue;
      }
      const skipped: Skipped[] = [];
      const objects = objectsOf(parsed.value, { file: name, line: done.line }, skipped);
      for (const s of skipped) yield { type: 'skipped', skipped: s };
      if (objects.length > 0) yield { type: 'objects', file: name, fileMs, objects };
    }
  }
  yield* strayItem();
  if (doc) yield cutShort(doc);
  if (section) {
    yield* flush();
    yield noEnd(section.header);
  }
}

/** A section-less log file: every non-blank line is the container's. */
async function* plainLog(file: string, log: DumpLogSection): AsyncGenerator<DumpItem> {
  let first = 0;
  let lines: string[] = [];
  for await (const line of linesOf(file)) {
    if (line.trim() === '') continue;
    lines.push(line);
    if (lines.length >= CHUNK_LINES) {
      yield { type: 'log', section: log, first, lines };
      first += lines.length;
      lines = [];
    }
  }
  if (lines.length > 0) yield { type: 'log', section: log, first, lines };
}

/**
 * Reads one stream of JSON documents and log sections as readDump reads such a file, for a dump
 * that is not on disk (standard input, a test). `lines` starts the stream afresh each time it is
 * called: it is read twice, once to count each section's lines and once to yield them.
 */
export async function* readDumpLines(
  name: string,
  fileMs: number,
  lines: () => AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<DumpItem> {
  const counts = await countSections(lines());
  yield { type: 'file', file: name };
  yield* documentsAndSections(lines(), name, fileMs, counts.sections);
}

/**
 * Reads what `kubectl cluster-info dump` writes, as a stream of items. With `--output-directory`:
 * nodes.json and, per namespace, events.json, replication-controllers.json, services.json,
 * daemonsets.json, deployments.json, replicasets.json, pods.json and `<pod>/logs.txt` (one
 * `==== START logs for container …` section per container, init containers first); without it, the
 * same documents and sections in one stream. Also `kubectl get … -o json` Lists, section-less
 * per-container log files (`<namespace>/<pod>/<container>/logs.txt`), or a folder of any of these.
 *
 * In a folder, every `.json` file is read before any other, so pods are known before their logs.
 * Files are read as line streams (two passes for logs: count, then read), so memory holds one JSON
 * document and one batch of log lines. What cannot be used is yielded as `skipped`; nothing stops
 * the rest. Rejects only when `path` itself cannot be read.
 */
export async function* readDump(path: string): AsyncGenerator<DumpItem> {
  const info = await stat(path);
  const all = info.isDirectory() ? await walk(path) : [path];
  const isJson = (f: string): boolean => f.toLowerCase().endsWith('.json');
  const files = [...all.filter(isJson), ...all.filter((f) => !isJson(f))];
  for (const file of files) {
    const name = info.isDirectory() ? relative(path, file) : file;
    const base = name.split(sep).at(-1) ?? name;
    if (/\.ya?ml$/i.test(base)) {
      yield {
        type: 'skipped',
        skipped: { file: name, reason: "YAML is not read: take the dump with -o json (kubectl's default)" },
      };
      continue;
    }
    if (!READABLE.test(base)) {
      yield { type: 'skipped', skipped: { file: name, reason: 'not a .json, .txt, .log or .dump file' } };
      continue;
    }
    let fileMs: number;
    let counts: Awaited<ReturnType<typeof countSections>>;
    try {
      fileMs = (await stat(file)).mtimeMs;
      counts = await countSections(linesOf(file));
    } catch (err) {
      yield { type: 'skipped', skipped: { file: name, reason: `cannot be read: ${(err as Error).message}` } };
      continue;
    }
    yield { type: 'file', file: name };
    const plain = info.isDirectory() && counts.sections.length === 0 ? plainLogOf(name) : undefined;
    try {
      if (plain) {
        yield* plainLog(file, { file: name, fileMs, container: undefined, ...plain, total: counts.outside });
      } else {
        yield* documentsAndSections(linesOf(file), name, fileMs, counts.sections);
      }
    } catch (err) {
      // Read between the passes: the file changed or went away. What came before it stays imported.
      yield {
        type: 'skipped',
        skipped: { file: name, reason: `stopped reading: ${(err as Error).message}` },
      };
    }
  }
}
