import { readFileSync } from 'node:fs';
import { parseCsv as csvRows } from '../loghub/dataset';

/**
 * Rows of an RFC 4180 CSV file (quoted fields may hold commas, doubled quotes and newlines), as
 * objects keyed by the header. Nezha's log files quote the container's JSON line this way.
 */
export function readCsv(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path, 'utf8'));
}

export function parseCsv(text: string): Record<string, string>[] {
  // Blank lines are not rows.
  const [header, ...body] = csvRows(text).filter((r) => r.length > 1 || r[0] !== '');
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
