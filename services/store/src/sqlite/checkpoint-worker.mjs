// The store's checkpointer thread: copies committed WAL frames back into the database file every
// `intervalMs`, so the writer thread does not pay for it inside its commits. PASSIVE never blocks
// the writer or readers; a checkpoint that cannot finish now simply continues next time. Plain
// JavaScript (no TypeScript loader needed): it only runs one pragma.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 1000');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    // Report the first failure of a run; the writer's own autocheckpoint is the backstop.
    if (failures++ === 0)
      parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

parentPort?.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
