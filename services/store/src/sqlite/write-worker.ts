/**
 * The writer thread of a SqliteStore opened with `writeThread: true`. It owns the only connection
 * that writes (an inline SqliteStore on the same file) and runs every write the main thread
 * forwards, one after another, so batches are written while the main thread keeps decoding and
 * answering requests. Started through write-worker-boot.mjs, which loads TypeScript.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type {
  Alert,
  FixAction,
  Anomaly,
  ChatMessage,
  Conversation,
  Incident,
  Investigation,
  NotificationDelivery,
  SignalBatch,
} from '@sleuth/core';
import type { RetentionPolicy } from '../store';
import { SqliteStore } from './sqlite-store';
import { toWire, type WriterInit, type WriterReply, type WriterRequest } from './write-worker-protocol';

const port = parentPort;
if (!port) throw new Error('write-worker.ts must run in a worker thread');
const init = workerData as WriterInit;
const store = new SqliteStore({
  path: init.path,
  synchronous: init.synchronous,
  walAutoCheckpointPages: init.walAutoCheckpointPages,
  // The main thread's store tracks write failures and checks for recovery through this thread.
  writeCheckIntervalMs: 0,
  ...(init.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: init.busyTimeoutMs }),
});

function reply(r: WriterReply): void {
  port?.postMessage(r);
}

async function handle(req: WriterRequest): Promise<unknown> {
  switch (req.op) {
    case 'writeBatch':
      return store.writeBatch(req.arg as SignalBatch);
    case 'putAnomalies':
      return store.putAnomalies(req.arg as Anomaly[]);
    case 'putIncident':
      return store.putIncident(req.arg as Incident);
    case 'putConversation':
      return store.putConversation(req.arg as Conversation);
    case 'appendMessage':
      return store.appendMessage(req.arg as ChatMessage);
    case 'putInvestigation':
      return store.putInvestigation(req.arg as Investigation);
    case 'putAlerts':
      return store.putAlerts(req.arg as Alert[]);
    case 'appendFixAction':
      return store.appendFixAction(req.arg as FixAction);
    case 'putNotification':
      return store.putNotification(req.arg as NotificationDelivery);
    case 'enforceRetention':
      return store.enforceRetention(req.arg as RetentionPolicy);
    case 'probeWrite':
      return store.probeWrite();
    case 'stop':
      await store.stop();
      return undefined;
  }
}

try {
  await store.start();
  reply({ id: 0, ok: true, value: undefined });
} catch (err) {
  reply({ id: 0, ok: false, error: toWire(err) });
  process.exit(1);
}

port.on('message', (req: WriterRequest) => {
  handle(req).then(
    (value) => {
      reply({ id: req.id, ok: true, value });
      if (req.op === 'stop') port.close();
    },
    (err: unknown) => reply({ id: req.id, ok: false, error: toWire(err) }),
  );
});
