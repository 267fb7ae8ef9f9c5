import { MARKER, MARKER_START } from './secret-patterns';

const MIN_NAME_LENGTH = 3;
const PLACEHOLDER = /[⟨<]res-(\d{1,7})[⟩>]/g;

const isWordChar = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

interface NameNode {
  next: Map<string, NameNode>;
  placeholder?: string;
}

/**
 * Registered names as a character trie, so one scan finds the longest name starting at each word
 * boundary whatever the number of names (an investigation registers every pod it saw).
 */
export class NameTable {
  private readonly root: NameNode = { next: new Map() };
  private readonly names: string[] = [];
  private readonly known = new Set<string>();

  add(name: string): void {
    if (name.length < MIN_NAME_LENGTH || this.known.has(name)) return;
    this.known.add(name);
    this.names.push(name);
    let node = this.root;
    for (let i = 0; i < name.length; i++) {
      const ch = name.charAt(i);
      let next = node.next.get(ch);
      if (!next) node.next.set(ch, (next = { next: new Map() }));
      node = next;
    }
    node.placeholder = `⟨res-${this.names.length}⟩`;
  }

  mask(text: string): string {
    if (this.names.length === 0) return text;
    let out = '';
    let copied = 0;
    let i = 0;
    while (i < text.length) {
      if (text.charCodeAt(i) === 91 && text.startsWith(MARKER_START, i)) {
        // Only a whole marker is skipped: a log line holding "[REDACTED: " must not unmask the rest.
        MARKER.lastIndex = i;
        const m = MARKER.exec(text);
        if (m) {
          i += m[0].length;
          continue;
        }
      }
      const found = isWordChar(text.charCodeAt(i - 1)) ? undefined : this.longestAt(text, i);
      if (found) {
        out += text.slice(copied, i) + found.placeholder;
        i = copied = found.end;
      } else i++;
    }
    return out + text.slice(copied);
  }

  unmask(text: string): string {
    return text.replace(PLACEHOLDER, (match: string, id: string) => this.names[Number(id) - 1] ?? match);
  }

  private longestAt(text: string, start: number): { end: number; placeholder: string } | undefined {
    let node = this.root;
    let found: { end: number; placeholder: string } | undefined;
    for (let j = start; j < text.length; j++) {
      const next = node.next.get(text.charAt(j));
      if (!next) break;
      node = next;
      if (node.placeholder !== undefined && !isWordChar(text.charCodeAt(j + 1))) {
        found = { end: j + 1, placeholder: node.placeholder };
      }
    }
    return found;
  }
}
