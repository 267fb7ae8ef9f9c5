import { readFile, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { WriteFailure } from '../store';

/**
 * How a store whose writes failed learns that they work again, without a write of real data.
 * Both checks are cheap: a few system calls, and one transaction that commits one page.
 */

/**
 * A write that changes nothing: one immediate transaction (so it takes the write lock, as every
 * write does) that inserts a row into `schema_migrations` and deletes it again, so its commit
 * appends a page to the WAL (a transaction that changes no row would commit without writing
 * anything). Readers never see the row. Throws what SQLite throws: SQLITE_BUSY while another
 * process holds the lock, SQLITE_FULL or SQLITE_IOERR while the WAL cannot take the page.
 */
export function probeWrite(db: Database): void {
  const insert = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (-1, 'write check', 0)",
  );
  const remove = db.prepare('DELETE FROM schema_migrations WHERE version = -1');
  db.transaction(() => {
    insert.run();
    remove.run();
  }).immediate();
}

/** A byte count for people: `512 KiB`, `3.2 MiB`, `1.5 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.floor(n / 1024)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** The soft file size limit of this process (RLIMIT_FSIZE) where Linux tells it; else none. */
async function fileSizeLimit(): Promise<number | undefined> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max file size\s+(\d+|unlimited)\s/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * Whether the database at `dbPath` has room to grow by `need` bytes: the file system holding it
 * has that much free for this process, and no file size limit on the process (RLIMIT_FSIZE, which
 * SQLite meets as SQLITE_IOERR_WRITE) stops the database or its WAL within it. Returns what is
 * short, or undefined when there is room. A write of one page proves neither: it can fit in space
 * a failed batch freed again.
 */
export async function roomToGrow(dbPath: string, need: number): Promise<string | undefined> {
  const fs = await statfs(dirname(dbPath));
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    return `${formatBytes(free)} free on the disk holding the database, less than the ${formatBytes(need)} asked for before writing again`;
  }
  const limit = await fileSizeLimit();
  if (limit !== undefined) {
    const largest = Math.max(await sizeOf(dbPath), await sizeOf(`${dbPath}-wal`));
    if (limit - largest < need) {
      return `the process may write files of at most ${formatBytes(limit)} (a file size limit, RLIMIT_FSIZE) and the database has ${formatBytes(largest)}, less than ${formatBytes(need)} of room; raise the limit (ulimit -f)`;
    }
  }
  return undefined;
}

/**
 * Whether failing writes work again: after a full disk or an I/O error, first whether the database
 * at `dbPath` has `need` bytes of room to grow (a write of one page can fit in space a failed batch
 * freed), then `probe`, a write that changes nothing. Rejects with what still fails.
 */
export async function checkWrites(
  failure: WriteFailure,
  dbPath: string,
  need: number,
  probe: () => Promise<void>,
): Promise<void> {
  const space = failure.reason === 'disk_full' || failure.reason === 'io_error';
  if (space && dbPath !== ':memory:') {
    const short = await roomToGrow(dbPath, need);
    if (short !== undefined) throw new Error(short);
  }
  await probe();
}
