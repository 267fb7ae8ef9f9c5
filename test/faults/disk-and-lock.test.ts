/**
 * The store's two everyday faults, met by a running server: the disk holding the database fills
 * up, and another process locks the database file. Either way ingest answers 503 with
 * Retry-After and a JSON error naming the problem (not a hang, not a 500), acknowledges nothing it
 * did not write, keeps answering queries, writes again once the fault is gone, and leaves a
 * database that passes `PRAGMA integrity_check`. While writes fail `/readyz` answers 503 naming
 * the fault, and 200 again once it is gone, without waiting for a write.
 *
 * The full disk is real where the test may mount a small tmpfs (root): SQLite meets ENOSPC
 * (SQLITE_FULL). Without root the same test runs on a file size limit set on the server process
 * with prlimit (RLIMIT_FSIZE; Node ignores SIGXFSZ), where SQLite meets EFBIG (SQLITE_IOERR_WRITE).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnSleuth, type SleuthProcess } from '../support/process';
import { postLogs, storedTags, taggedBatch, type PostAnswer } from './tagged-logs';

const RECORDS = 500;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function serveArgs(dataDir: string): string[] {
  return ['serve', '--port', '0', '--data-dir', dataDir, '--simulator', 'off'];
}

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function errorOf(answer: PostAnswer): ErrorBody['error'] {
  return (answer.json as ErrorBody).error;
}

/** How a test takes the disk's space away from the server and gives it back. */
interface DiskLimit {
  name: string;
  /** Where the server's data folder goes; undefined when this limit cannot be used here. */
  prepare(): string | undefined;
  /** Takes the space away (after the server started). */
  fill(server: SleuthProcess, dataDir: string): void;
  /** Gives it back. */
  free(server: SleuthProcess, dataDir: string): void;
  cleanup(dataDir: string): void;
  /** What the 503 must name. */
  reason: RegExp;
  message: RegExp;
  /** How /readyz must name it meanwhile. */
  notReady: RegExp;
}

const tmpfs: DiskLimit = {
  name: 'a 6 MiB tmpfs (ENOSPC)',
  prepare() {
    const dir = tempDir('sleuth-full-disk-');
    return tryRun('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir]) ? dir : undefined;
  },
  fill: () => undefined,
  free: (_server, dir) => execFileSync('mount', ['-o', 'remount,size=256m', dir]),
  cleanup: (dir) => void tryRun('umount', [dir]),
  reason: /^disk_full$/,
  message: /the disk holding the database is full \(SQLITE_FULL\)/,
  notReady:
    /^store: disk full: the last write at \d{4}-\d\d-\d\dT[\d:.]+Z failed \(writing a batch failed: the disk holding the database is full \(SQLITE_FULL\): free space on it/,
};

const fileSizeLimit: DiskLimit = {
  name: 'a file size limit on the server process (EFBIG)',
  prepare: () => (tryRun('prlimit', ['--version']) ? tempDir('sleuth-fsize-') : undefined),
  fill(server, dir) {
    // A little room above the largest file, so some batches land before the limit bites.
    const largest = Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).size));
    execFileSync('prlimit', ['--pid', String(server.child.pid), `--fsize=${largest + 2 ** 20}:`]);
  },
  free: (server) => execFileSync('prlimit', ['--pid', String(server.child.pid), '--fsize=unlimited:']),
  cleanup: () => undefined,
  reason: /^(disk_full|io_error)$/,
  message: /disk/,
  notReady: /^store: (disk full|I\/O error): the last write at \S+ failed \(writing a batch failed: .*disk/,
};

interface Readiness {
  status: number;
  problems: string[];
}

async function readiness(url: string): Promise<Readiness> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { problems?: string[] };
  return { status: res.status, problems: body.problems ?? [] };
}

/** Polls /readyz until `done` holds, for at most `ms`; the last answer either way. */
async function readinessUntil(url: string, done: (r: Readiness) => boolean, ms: number): Promise<Readiness> {
  const until = performance.now() + ms;
  for (;;) {
    const r = await readiness(url);
    if (done(r) || performance.now() > until) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a full disk', () => {
  for (const limit of [tmpfs, fileSizeLimit]) {
    it(`answers 503 naming it, acknowledges only what it wrote, and recovers: ${limit.name}`, async () => {
      const dataDir = limit.prepare();
      // Not skipped where it cannot be set up: a skipped fault test would hide a failure.
      if (dataDir === undefined)
        throw new Error(`${limit.name} cannot be set up here (tmpfs needs root, prlimit util-linux)`);
      const server = await spawnSleuth(serveArgs(dataDir));
      const acked = new Set<string>();
      try {
        limit.fill(server, dataDir);
        let refused: PostAnswer | undefined;
        for (let n = 0; n < 400 && !refused; n++) {
          const answer = await postLogs(server.url, taggedBatch('full', 'diskfull', `b${n}`, RECORDS));
          if (!answer) throw new Error(`the server died at batch ${n}`);
          if (answer.status === 200) acked.add(`b${n}`);
          else refused = answer;
        }
        if (!refused) throw new Error('the disk never filled up');
        expect(acked.size, 'batches written before the disk filled').toBeGreaterThan(0);
        expect(refused.status).toBe(503);
        expect(refused.retryAfter).toMatch(/^\d+$/);
        expect(refused.ms, 'the refusal comes within seconds').toBeLessThan(10_000);
        const error = errorOf(refused);
        expect(error.message).toMatch(limit.message);
        expect(String(error.details?.['reason'])).toMatch(limit.reason);

        // The server stays up and answers queries while writes fail, but is not ready, saying why.
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        const search = await fetch(`${server.url}/api/v1/logs?q=b0&cluster=full&limit=1000`);
        expect(search.status).toBe(200);
        expect(((await search.json()) as { records: unknown[] }).records).toHaveLength(RECORDS);
        const full = await readiness(server.url);
        expect(full.status, JSON.stringify(full)).toBe(503);
        expect(full.problems).toHaveLength(1);
        expect(full.problems[0]).toMatch(limit.notReady);
        // The store checks by itself whether writes work again (every 5 s); while the fault lasts
        // its check fails, and readiness stays 503 saying what the check found.
        const checked = await readinessUntil(
          server.url,
          (r) => /checked again at/.test(r.problems.join()),
          15_000,
        );
        expect(checked.status, JSON.stringify(checked)).toBe(503);
        expect(checked.problems[0]).toMatch(limit.notReady);
        expect(checked.problems[0]).toMatch(/checked again at \S+: .+; ready again once a write succeeds$/);

        // Once the space is back the server becomes ready by itself, before anyone writes to it
        // (a server out of rotation would receive no write that could show it recovered).
        limit.free(server, dataDir);
        const recovered = await readinessUntil(server.url, (r) => r.status === 200, 15_000);
        expect(recovered, JSON.stringify(recovered)).toEqual({ status: 200, problems: [] });
        const after = await postLogs(server.url, taggedBatch('full', 'diskfull', 'after', RECORDS));
        expect(after?.status, JSON.stringify(after?.json)).toBe(200);
        acked.add('after');
      } finally {
        await exited(server.child, 'SIGTERM');
      }
      try {
        const stored = storedTags(dataDir, 'diskfull');
        expect(stored.integrity).toBe('ok');
        // Every acknowledged batch in full, and nothing of a refused one.
        expect(new Set(stored.counts.keys())).toEqual(acked);
        expect([...stored.counts.values()].every((c) => c === RECORDS)).toBe(true);
      } finally {
        limit.cleanup(dataDir);
      }
    }, 60_000);
  }
});

describe('a database locked by another process', () => {
  it('answers writes 503 naming the lock, keeps answering queries, and writes once released', async () => {
    const dataDir = tempDir('sleuth-locked-');
    const server = await spawnSleuth(serveArgs(dataDir));
    const holder = new Database(join(dataDir, 'sleuth.db'));
    try {
      expect((await postLogs(server.url, taggedBatch('locked', 'lock', 'before', RECORDS)))?.status).toBe(
        200,
      );
      holder.exec('BEGIN EXCLUSIVE');
      const write = postLogs(server.url, taggedBatch('locked', 'lock', 'during', RECORDS));
      // Reads go on beside the lock (WAL): the search answers while the write waits.
      const t0 = performance.now();
      const search = await fetch(`${server.url}/api/v1/logs?q=before&cluster=locked&limit=1000`);
      expect(search.status).toBe(200);
      expect(((await search.json()) as { records: unknown[] }).records).toHaveLength(RECORDS);
      expect((await fetch(`${server.url}/api/v1/incidents`)).status).toBe(200);
      expect(performance.now() - t0, 'queries are not held up by the lock').toBeLessThan(2000);

      const refused = await write;
      expect(refused?.status).toBe(503);
      if (!refused) return;
      expect(refused.retryAfter).toMatch(/^\d+$/);
      expect(refused.ms, 'a refusal, not a hang').toBeLessThan(10_000);
      expect(errorOf(refused).message).toMatch(/database file is locked by another connection or process/);
      expect(errorOf(refused).details?.['reason']).toBe('locked');
      const locked = await readiness(server.url);
      expect(locked.status).toBe(503);
      expect(locked.problems[0]).toMatch(
        /^store: database locked: the last write at \S+ failed \(writing a batch failed: the database file is locked/,
      );

      holder.exec('ROLLBACK');
      expect((await postLogs(server.url, taggedBatch('locked', 'lock', 'after', RECORDS)))?.status).toBe(200);
      expect(await readiness(server.url)).toEqual({ status: 200, problems: [] });
    } finally {
      holder.close();
      await exited(server.child, 'SIGTERM');
    }
    const stored = storedTags(dataDir, 'lock');
    expect(stored.integrity).toBe('ok');
    expect(Object.fromEntries(stored.counts)).toEqual({ before: RECORDS, after: RECORDS });
  }, 60_000);
});
