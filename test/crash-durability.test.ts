/**
 * Acknowledged data survives a crash: batches the server answered 2xx are all there after the
 * process is killed with SIGKILL (no shutdown hook runs) and started again on the same data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '@sleuth/core';
import { encodeOtlpRequest } from '@sleuth/pipeline';
import { exited, spawnSleuth } from './support/process';

const dataDir = mkdtempSync(join(tmpdir(), 'sleuth-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function batch(n: number) {
  const t = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'k8s.cluster.name', value: { stringValue: 'crash-test' } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: 200 }, (_, i) => ({
              timeUnixNano: `${t + BigInt(i)}`,
              severityNumber: 17,
              body: { stringValue: `durable batch${n} record${i}` },
            })),
          },
        ],
      },
    ],
  };
}

describe('crash durability', () => {
  it('keeps every acknowledged batch through SIGKILL', async () => {
    const args = ['serve', '--port', '0', '--data-dir', dataDir, '--simulator', 'off'];
    const first = await spawnSleuth(args);
    const acked: number[] = [];
    // Many batches in flight; the process is killed the moment the first one is acknowledged.
    const sends = Array.from({ length: 30 }, async (_, n) => {
      const res = await fetch(`${first.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeOtlpRequest('logs', batch(n)),
      }).catch(() => undefined);
      if (res?.status === 200) {
        acked.push(n);
        first.child.kill('SIGKILL');
      }
    });
    await Promise.all(sends);
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThan(0);

    const second = await spawnSleuth(args);
    try {
      for (const n of acked) {
        const res = await fetch(`${second.url}/api/v1/logs?q=batch${n}&cluster=crash-test&limit=1000`);
        const page = (await res.json()) as { records: LogRecord[] };
        expect(page.records, `acknowledged batch ${n}`).toHaveLength(200);
      }
    } finally {
      await exited(second.child, 'SIGTERM');
    }
  }, 90_000);
});
