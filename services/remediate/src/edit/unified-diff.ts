/**
 * A unified diff (`git apply`-able, 3 lines of context) between two versions of one file. Edits
 * here change a few lines of a manifest, so the lines common to both ends are set aside and the
 * rest is matched by longest common subsequence.
 */
type Op = { t: ' ' | '-' | '+'; line: string; a: number; b: number };

/** Past this many line pairs in the changed middle, it is shown as removed then added. */
const LCS_CELLS = 4_000_000;

function splitLines(text: string): { lines: string[]; eol: boolean } {
  if (text === '') return { lines: [], eol: true };
  const lines = text.split('\n');
  const eol = text.endsWith('\n');
  if (eol) lines.pop();
  return { lines, eol };
}

function middleOps(a: string[], b: string[], a0: number, b0: number): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > LCS_CELLS)
    return [
      ...a.map((line, i): Op => ({ t: '-', line, a: a0 + i, b: b0 })),
      ...b.map((line, j): Op => ({ t: '+', line, a: a0 + n, b: b0 + j })),
    ];
  // lcs[i][j]: the LCS length of a[i..] and b[j..], in one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i] ?? '', a: a0 + i++, b: b0 + j++ });
    } else if (i < n && (j === m || (lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0))) {
      ops.push({ t: '-', line: a[i] ?? '', a: a0 + i++, b: b0 + j });
    } else {
      ops.push({ t: '+', line: b[j] ?? '', a: a0 + i, b: b0 + j++ });
    }
  }
  return ops;
}

function lineOps(a: string[], b: string[]): Op[] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const head = a.slice(0, p).map((line, i): Op => ({ t: ' ', line, a: i, b: i }));
  const mid = middleOps(a.slice(p, a.length - s), b.slice(p, b.length - s), p, p);
  const tail = a
    .slice(a.length - s)
    .map((line, k): Op => ({ t: ' ', line, a: a.length - s + k, b: b.length - s + k }));
  return [...head, ...mid, ...tail];
}

/** The diff of `path` from `oldText` to `newText`; empty when they are equal. */
export function unifiedDiff(path: string, oldText: string, newText: string, context = 3): string {
  if (oldText === newText) return '';
  const A = splitLines(oldText);
  const B = splitLines(newText);
  // A missing final newline is a difference of the last line.
  const a = A.lines.map((l, i) => (i === A.lines.length - 1 && !A.eol ? `${l}\0` : l));
  const b = B.lines.map((l, i) => (i === B.lines.length - 1 && !B.eol ? `${l}\0` : l));
  const ops = lineOps(a, b);
  const changed = ops.flatMap((o, i) => (o.t === ' ' ? [] : [i]));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, (changed[k] ?? 0) - context);
    let end = Math.min(ops.length - 1, (changed[k] ?? 0) + context);
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, (changed[k] ?? 0) + context);
    }
    k++;
    if (start < 0) start = 0;
    const hunk = ops.slice(start, end + 1);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    const first = hunk[0];
    const aStart = aLen === 0 ? (first?.a ?? 0) : (first?.a ?? 0) + 1;
    const bStart = bLen === 0 ? (first?.b ?? 0) : (first?.b ?? 0) + 1;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) {
      if (o.line.endsWith('\0')) out.push(`${o.t}${o.line.slice(0, -1)}`, '\\ No newline at end of file');
      else out.push(`${o.t}${o.line}`);
    }
  }
  return `${out.join('\n')}\n`;
}
