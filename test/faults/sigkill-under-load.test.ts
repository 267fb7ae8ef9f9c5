/**
 * Acknowledged data survives a crash under load: several senders post OTLP log batches at once,
 * the server is killed with SIGKILL at a random moment (no shutdown hook runs, requests are in
 * flight and batches wait in the ingest queue), started again on the same data folder, and every
 * record of every batch that was answered 200 must be there. Five runs, each with its own moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@sleuth/core';
import { exited, spawnSleuth, type SleuthProcess } from '../support/process';
import { postLogs, storedTags, taggedBatch } from './tagged-logs';

const RUNS = 5;
const SENDERS = 6;
const RECORDS_PER_BATCH = 250;
const CLUSTER = 'sigkill';
const PREFIX = 'sigkill';
/** The kill comes this long after the load starts: between 0.5 and 2.5 s. */
const KILL_AFTER_MS = { min: 500, max: 2500 };

const seed = Date.now() % 1_000_000;
const random = seededRandom(seed);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface RunResult {
  acked: string[];
  sent: number;
  /** Requests sent and not yet answered when the kill came. */
  inFlightAtKill: number;
}

/**
 * Drives the senders until the server dies; returns the tags of the batches answered 200. Each
 * sender encodes its next batch while the current one is in flight, so the server never waits
 * for the senders and the kill finds it busy.
 */
async function loadUntilKilled(
  run: number,
  url: string,
  kill: () => void,
  killAfterMs: number,
): Promise<RunResult> {
  const acked: string[] = [];
  let sent = 0;
  let answered = 0;
  let inFlightAtKill = -1;
  const timer = setTimeout(() => {
    inFlightAtKill = sent - answered;
    kill();
  }, killAfterMs);
  const sender = async (s: number): Promise<void> => {
    let next = taggedBatch(CLUSTER, PREFIX, `r${run}s${s}b0`, RECORDS_PER_BATCH);
    for (let n = 0; ; n++) {
      const tag = `r${run}s${s}b${n}`;
      sent++;
      const pending = postLogs(url, next);
      next = taggedBatch(CLUSTER, PREFIX, `r${run}s${s}b${n + 1}`, RECORDS_PER_BATCH);
      const answer = await pending;
      answered++;
      if (answer === undefined) return; // the connection died with the server
      if (answer.status === 200) acked.push(tag);
      else if (answer.status === 429) await new Promise((r) => setTimeout(r, 50));
      else throw new Error(`batch ${tag} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
  } finally {
    clearTimeout(timer);
  }
  return { acked, sent, inFlightAtKill };
}

/**
 * The five runs share one data folder and chain: the server restarted after run N's kill is the
 * one run N+1 loads and kills, so each start is used twice and every earlier acknowledged batch
 * must survive every later crash too.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'sleuth-sigkill-'));
dirs.push(dataDir);
const args = ['serve', '--port', '0', '--data-dir', dataDir, '--simulator', 'off'];
const ackedSoFar: string[] = [];
let running: SleuthProcess | undefined;
afterAll(async () => {
  if (running) await exited(running.child, 'SIGTERM');
});

describe('SIGKILL under load', () => {
  for (let run = 1; run <= RUNS; run++) {
    it(`loses no acknowledged record (run ${run} of ${RUNS})`, async () => {
      const killAfterMs = Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));

      const first = running ?? (await spawnSleuth(args));
      running = undefined;
      const result = await loadUntilKilled(run, first.url, () => first.child.kill('SIGKILL'), killAfterMs);
      await exited(first.child);
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(result.acked.length, 'batches acknowledged before the kill').toBeGreaterThan(0);
      ackedSoFar.push(...result.acked);

      const second = await spawnSleuth(args);
      running = second;
      const stored = storedTags(dataDir, PREFIX);
      const missing = ackedSoFar.filter((tag) => stored.counts.get(tag) !== RECORDS_PER_BATCH);
      const ackedRecords = result.acked.length * RECORDS_PER_BATCH;
      const storedRecords = [...stored.counts.values()].reduce((a, b) => a + b, 0);
      console.info(
        `sigkill run ${run} (seed ${seed}): killed after ${killAfterMs} ms with ${result.inFlightAtKill} ` +
          `requests in flight; ${result.acked.length} of ${result.sent} batches acknowledged ` +
          `(${ackedRecords} records; ${ackedSoFar.length * RECORDS_PER_BATCH} over all runs so far), ` +
          `${storedRecords} records stored after restart, ${missing.length} acknowledged batches missing or partial`,
      );
      expect(missing, `acknowledged batches missing after restart (seed ${seed})`).toEqual([]);
      expect(stored.integrity).toBe('ok');
      // The restarted server answers for them too, not only the file.
      const probe = result.acked[Math.floor(random() * result.acked.length)] ?? '';
      const res = await fetch(`${second.url}/api/v1/logs?q=${probe}&cluster=${CLUSTER}&limit=1000`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { records: unknown[] };
      expect(page.records, `batch ${probe} through the API`).toHaveLength(RECORDS_PER_BATCH);
    }, 30_000);
  }
});
