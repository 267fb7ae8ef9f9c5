import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Which container's log a section of `kubectl cluster-info dump` holds. */
export interface SectionHeader {
  container: string;
  namespace: string;
  pod: string;
}

const START = /^==== START logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
const END_PREFIX = '==== END logs for container ';
const END = /^==== END logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
/** What kubectl writes in a container's section when it could not get the log. */
const LOG_ERROR = /^(Create log request error|Request log error): /;

/** The container a line opens a section for (`==== START logs for container C of pod NS/POD ====`). */
export function sectionStart(line: string): SectionHeader | undefined {
  const m = START.exec(line);
  if (!m) return undefined;
  const [, container = '', namespace = '', pod = ''] = m;
  return { container, namespace, pod };
}

/** What a line inside a section is. */
export type SectionLine =
  /** The section ends; `last` is a final log line kubectl wrote without a newline before the marker. */
  | { kind: 'end'; last: string | undefined }
  /** kubectl could not read this container's log: the reason it wrote instead. */
  | { kind: 'error'; reason: string }
  | { kind: 'blank' }
  | { kind: 'line' };

/**
 * Classifies a line inside a section. kubectl writes the log as the kubelet served it and then the
 * END marker, so a log that does not end in a newline puts its last line and the marker on one line.
 */
export function sectionLine(line: string, header: SectionHeader): SectionLine {
  const at = line.lastIndexOf(END_PREFIX);
  if (at >= 0) {
    const m = END.exec(line.slice(at));
    if (m && m[1] === header.container && m[2] === header.namespace && m[3] === header.pod) {
      const last = line.slice(0, at);
      return { kind: 'end', last: last.trim() === '' ? undefined : last };
    }
  }
  if (LOG_ERROR.test(line)) return { kind: 'error', reason: line };
  if (line.trim() === '') return { kind: 'blank' };
  return { kind: 'line' };
}

/** Lines of a file, without their line ends, read as a stream (files can be gigabytes). */
export function linesOf(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** How many log lines each section of a file holds, in order, and the non-blank lines outside any. */
export interface SectionCounts {
  sections: number[];
  outside: number;
}

/**
 * The first of two passes over a file's lines: counts the log lines of each section, so the second
 * pass can spread their times over the container's run while holding only one batch of lines at a
 * time. A START line opens a section wherever it is (the second pass does the same), so both agree.
 */
export async function countSections(lines: AsyncIterable<string> | Iterable<string>): Promise<SectionCounts> {
  const counts: SectionCounts = { sections: [], outside: 0 };
  let header: SectionHeader | undefined;
  for await (const line of lines) {
    const start = sectionStart(line);
    if (start) {
      header = start;
      counts.sections.push(0);
      continue;
    }
    if (!header) {
      if (line.trim() !== '') counts.outside++;
      continue;
    }
    const c = sectionLine(line, header);
    const i = counts.sections.length - 1;
    if (c.kind === 'line' || (c.kind === 'end' && c.last !== undefined))
      counts.sections[i] = (counts.sections[i] ?? 0) + 1;
    if (c.kind === 'end') header = undefined;
  }
  return counts;
}
