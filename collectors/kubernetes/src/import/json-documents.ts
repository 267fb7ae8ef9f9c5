import type { RawObject } from '../kube-api';
import type { Skipped } from './dump-reader';

/** Largest JSON document read (a big namespace's pods.json is tens of MB; V8 strings end near 512 MiB). */
const MAX_DOCUMENT_CHARS = 256 * 2 ** 20;

/**
 * One JSON document of a stream, gathered line by line: it ends where its outermost brace closes,
 * counted outside strings. kubectl writes one document after another with nothing between.
 */
export class JsonDocument {
  private parts: string[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private tooBig = false;

  /** @param line the line it starts on (1-based). */
  constructor(readonly line: number) {}

  /** Takes (the rest of) a line; returns where the document ends in it, or -1 when it goes on. */
  feed(text: string): number {
    for (let k = 0; k < text.length; k++) {
      const ch = text.charCodeAt(k);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 92) this.escaped = true;
        else if (ch === 34) this.inString = false;
        continue;
      }
      if (ch === 34) this.inString = true;
      else if (ch === 123 || ch === 91) this.depth++;
      else if (ch === 125 || ch === 93) {
        this.depth--;
        if (this.depth === 0) {
          this.keep(text.slice(0, k + 1));
          return k + 1;
        }
      }
    }
    this.keep(text);
    return -1;
  }

  private keep(text: string): void {
    if (this.tooBig) return;
    this.size += text.length + 1;
    if (this.size > MAX_DOCUMENT_CHARS) {
      this.tooBig = true;
      this.parts = [];
      return;
    }
    this.parts.push(text);
  }

  parse(): { ok: true; value: unknown } | { ok: false; reason: string } {
    if (this.tooBig)
      return { ok: false, reason: `a JSON document larger than ${MAX_DOCUMENT_CHARS / 2 ** 20} MiB` };
    try {
      return { ok: true, value: JSON.parse(this.parts.join('\n')) };
    } catch (err) {
      return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
    } finally {
      this.parts = [];
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deepest object nesting sent: an object travels as the `object` of a record body, and OTLP
 * receivers refuse a whole request holding a value nested more than 100 levels (protobuf's limit),
 * so one such object would fail the import of everything sent with it.
 */
export const MAX_OBJECT_DEPTH = 99;

/** Whether objects and arrays nest more than `max` levels in `v` (`v` itself is level 1). */
function nestedDeeper(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

const TOO_DEEP = `nested more than ${MAX_OBJECT_DEPTH} levels deep (OTLP receivers refuse deeper values)`;

/**
 * The Kubernetes objects of a document: the items of a List (`kind: List` of mixed kinds from
 * `kubectl get a,b -o json`, or a typed `<Kind>List` whose items carry no kind or apiVersion of
 * their own: they are the List's), or the document itself when it is one object. Items that are
 * not objects, lack a kind, apiVersion or name, or nest deeper than MAX_OBJECT_DEPTH go to
 * `skipped`, with their index.
 */
export function objectsOf(
  doc: unknown,
  where: { file: string; line: number },
  skipped: Skipped[],
): RawObject[] {
  if (!isObject(doc)) {
    skipped.push({ ...where, reason: 'a JSON document that is not a Kubernetes object or List' });
    return [];
  }
  const listKind = typeof doc['kind'] === 'string' ? doc['kind'] : '';
  const apiVersion = typeof doc['apiVersion'] === 'string' ? doc['apiVersion'] : undefined;
  const items = doc['items'];
  if (Array.isArray(items)) {
    const itemKind = listKind.endsWith('List') && listKind !== 'List' ? listKind.slice(0, -4) : undefined;
    const out: RawObject[] = [];
    items.forEach((item: unknown, index) => {
      if (!isObject(item)) {
        skipped.push({ ...where, item: index, reason: 'a List item that is not an object' });
        return;
      }
      const o = item as RawObject;
      const kind = typeof o.kind === 'string' ? o.kind : itemKind;
      const version = typeof o.apiVersion === 'string' ? o.apiVersion : apiVersion;
      const name = isObject(o.metadata) ? o.metadata.name : undefined;
      if (!kind || !version || typeof name !== 'string' || name === '') {
        skipped.push({
          ...where,
          item: index,
          reason: 'a List item without kind, apiVersion or metadata.name',
        });
        return;
      }
      if (nestedDeeper(o, MAX_OBJECT_DEPTH)) {
        skipped.push({ ...where, item: index, reason: `a List item ${TOO_DEEP}` });
        return;
      }
      out.push({ ...o, kind, apiVersion: version });
    });
    return out;
  }
  const o = doc as RawObject;
  const name = isObject(o.metadata) ? o.metadata.name : undefined;
  if (listKind === '' || apiVersion === undefined || typeof name !== 'string' || name === '') {
    skipped.push({ ...where, reason: 'a JSON document without kind, apiVersion or metadata.name' });
    return [];
  }
  if (nestedDeeper(o, MAX_OBJECT_DEPTH)) {
    skipped.push({ ...where, reason: `a Kubernetes object ${TOO_DEEP}` });
    return [];
  }
  return [o];
}
