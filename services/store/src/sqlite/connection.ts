import Database from 'better-sqlite3';

/** How a SqliteStore opens its database file. */
export interface ConnectionOptions {
  /** A file path, or `:memory:` for a private in-memory database (tests). */
  path: string;
  /**
   * `normal`: a committed batch survives a crash of the process (WAL, fsync at checkpoints);
   * `full`: it also survives power loss (fsync at every commit).
   */
  synchronous: 'normal' | 'full';
  /**
   * WAL pages after which a commit also checkpoints (SQLite's default is 1000). The writer
   * thread raises it: a separate checkpointer thread copies the WAL back, and the writer only
   * does it itself when that thread falls far behind.
   */
  walAutoCheckpointPages?: number;
  /**
   * How long a statement waits for a lock another connection or process holds before it fails
   * with a retryable StoreError naming the lock (default 5000 ms).
   */
  busyTimeoutMs?: number;
}

/**
 * Opens the database with the settings the store relies on: WAL (readers never block the writer),
 * the requested durability, auto_vacuum=INCREMENTAL on a new file (retention can shrink it; the
 * setting only takes effect before the first table exists), a 64 MiB page cache and a busy
 * timeout for other processes (e.g. a backup) holding a lock.
 */
export function openDatabase(opts: ConnectionOptions): Database.Database {
  const db = new Database(opts.path);
  try {
    if (Number(db.pragma('page_count', { simple: true })) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    db.pragma('journal_size_limit = 67108864');
    if (opts.walAutoCheckpointPages !== undefined)
      db.pragma(`wal_autocheckpoint = ${opts.walAutoCheckpointPages}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
