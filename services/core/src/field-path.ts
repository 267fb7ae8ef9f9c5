/**
 * Reading an evidence field path such as `status.containerStatuses[name=api].restartCount` (a
 * `[key=value]` step picks the list item whose key has that value). Shared by the server's
 * evidence quotes and the web UI, which imports this file alone (`@sleuth/core/field-path`), so it
 * must stay free of Node APIs.
 */
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path` in `o`; undefined when absent. */
export function valueAt(o: unknown, path: string): unknown {
  let v = o;
  for (const step of path.split('.')) {
    const m = /^([^[\]]+)(?:\[([^=\]]+)=([^\]]*)\])?$/.exec(step);
    if (!m || !isRecord(v)) return undefined;
    v = v[m[1] ?? ''];
    if (m[2] !== undefined) {
      if (!Array.isArray(v)) return undefined;
      v = v.find((item) => isRecord(item) && item[m[2] ?? ''] === m[3]);
    }
  }
  return v;
}
