import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeOtlpRequest } from '@sleuth/pipeline';

/**
 * Log batches whose records can be found again: every record of a batch carries the batch's tag
 * as one word of its body (`<prefix> <tag> record<i>`), so after a fault a test can tell which
 * acknowledged batches are stored, in full, and which refused ones are not.
 */

/** An OTLP/HTTP protobuf logs request of `count` records tagged `tag`, stamped now. */
export function taggedBatch(cluster: string, prefix: string, tag: string, count: number): Uint8Array {
  const t = BigInt(Date.now()) * 1_000_000n;
  return encodeOtlpRequest('logs', {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'k8s.cluster.name', value: { stringValue: cluster } },
            { key: 'k8s.namespace.name', value: { stringValue: 'faults' } },
            { key: 'k8s.pod.name', value: { stringValue: `sender-${prefix}` } },
          ],
        },
        scopeLogs: [
          {
            logRecords: Array.from({ length: count }, (_, i) => ({
              timeUnixNano: `${t + BigInt(i)}`,
              severityNumber: 9,
              body: { stringValue: `${prefix} ${tag} record${i}` },
            })),
          },
        ],
      },
    ],
  });
}

export interface PostAnswer {
  status: number;
  retryAfter: string | null;
  /** The parsed JSON body, or undefined when it was not JSON. */
  json: unknown;
  ms: number;
}

/** POSTs an OTLP logs request; undefined when the connection failed (the server died). */
export async function postLogs(url: string, body: Uint8Array): Promise<PostAnswer | undefined> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      json,
      ms: performance.now() - t0,
    };
  } catch {
    return undefined;
  }
}

export interface StoredTags {
  /** Records stored per tag. */
  counts: Map<string, number>;
  /** `PRAGMA integrity_check`: 'ok' for a sound file. */
  integrity: string;
}

/**
 * Opens the data folder's database read-only (beside a running server, which WAL allows) and
 * counts the stored records of each tag written with `prefix`.
 */
export function storedTags(dataDir: string, prefix: string): StoredTags {
  const db = new Database(join(dataDir, 'sleuth.db'), { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const counts = new Map<string, number>();
    const rows = db.prepare<[string], string>('SELECT body FROM logs WHERE body LIKE ?').pluck();
    for (const body of rows.iterate(`${prefix} %`)) {
      const tag = body.split(' ')[1] ?? '';
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
    return { counts, integrity };
  } finally {
    db.close();
  }
}
