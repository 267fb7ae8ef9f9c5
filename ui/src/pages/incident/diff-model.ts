/**
 * A unified diff (`git diff` / `diff -u` text) as rows to render: per file its paths, and per line
 * whether it was added, removed or kept, with its line number in the old and the new file.
 */
export type DiffLineKind = 'add' | 'del' | 'context' | 'hunk' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  /** The line without its `+`/`-`/` ` marker; for a hunk, its header (`@@ -62,7 +62,7 @@`). */
  text: string;
  /** Line number in the old file (removed and kept lines). */
  oldNo?: number;
  /** Line number in the new file (added and kept lines). */
  newNo?: number;
}

export interface DiffFile {
  oldPath: string;
  newPath: string;
  lines: DiffLine[];
  added: number;
  removed: number;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

function stripPrefix(path: string): string {
  return path.replace(/^[ab]\//, '').replace(/\t.*$/, '');
}

/** Parses unified diff text; lines before the first file header, and `diff --git`/`index` lines, are skipped. */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let oldNo = 0;
  let newNo = 0;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines[i + 1] ?? '';
    if (line.startsWith('--- ') && next.startsWith('+++ ')) {
      file = {
        oldPath: stripPrefix(line.slice(4)),
        newPath: stripPrefix(next.slice(4)),
        lines: [],
        added: 0,
        removed: 0,
      };
      files.push(file);
      i++;
      continue;
    }
    if (!file) continue;
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldNo = Number(hunk[1]);
      newNo = Number(hunk[2]);
      file.lines.push({ kind: 'hunk', text: line });
    } else if (line.startsWith('+')) {
      file.lines.push({ kind: 'add', text: line.slice(1), newNo: newNo++ });
      file.added++;
    } else if (line.startsWith('-')) {
      file.lines.push({ kind: 'del', text: line.slice(1), oldNo: oldNo++ });
      file.removed++;
    } else if (line.startsWith(' ') || line === '') {
      file.lines.push({ kind: 'context', text: line.slice(1), oldNo: oldNo++, newNo: newNo++ });
    } else if (line.startsWith('\\')) {
      file.lines.push({ kind: 'note', text: line.slice(1).trim() });
    }
  }
  return files;
}
