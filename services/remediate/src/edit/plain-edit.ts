import { isRecord, scalarText, type PathSegment } from '../field-path';

/**
 * The same edits as the YAML splices, on plain data: what the edited document must read as. The
 * text edit is checked against this, so a splice that lands in the wrong place cannot go unseen.
 */
export function setPlain(root: unknown, path: readonly PathSegment[], value: unknown): boolean {
  const last = path[path.length - 1];
  if (last?.kind !== 'key') return false;
  let cur: unknown = root;
  for (const s of path.slice(0, -1)) {
    if (s.kind === 'key') {
      if (!isRecord(cur)) return false;
      if (cur[s.key] === undefined || cur[s.key] === null) cur[s.key] = {};
      cur = cur[s.key];
    } else if (s.kind === 'index') {
      if (!Array.isArray(cur)) return false;
      cur = cur[s.index];
    } else {
      if (!Array.isArray(cur)) return false;
      cur = cur.find((it) => isRecord(it) && scalarText(it[s.key]) === s.value);
    }
  }
  if (!isRecord(cur)) return false;
  cur[last.key] = value;
  return true;
}

export function deletePlain(root: unknown, path: readonly PathSegment[]): void {
  const last = path[path.length - 1];
  if (last?.kind !== 'key') return;
  let cur: unknown = root;
  for (const s of path.slice(0, -1)) {
    if (s.kind === 'key') cur = isRecord(cur) ? cur[s.key] : undefined;
    else if (s.kind === 'index') cur = Array.isArray(cur) ? cur[s.index] : undefined;
    else
      cur = Array.isArray(cur)
        ? cur.find((it) => isRecord(it) && scalarText(it[s.key]) === s.value)
        : undefined;
  }
  if (isRecord(cur)) delete cur[last.key];
}
