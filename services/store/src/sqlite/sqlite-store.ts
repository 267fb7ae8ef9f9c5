import type { Database } from 'better-sqlite3';
import {
  StoreError,
  batchSize,
  type Alert,
  type Anomaly,
  type FixAction,
  type ChatMessage,
  type Conversation,
  type Incident,
  type Investigation,
  type K8sEvent,
  type LogRecord,
  type Logger,
  type NotificationDelivery,
  type ObjectSnapshot,
  type ResourceRef,
  type SignalBatch,
  type Span,
} from '@sleuth/core';
import type {
  AlertQuery,
  AnomalyQuery,
  ConversationQuery,
  EventQuery,
  FixActionQuery,
  HistoryQuery,
  IncidentQuery,
  InvestigationQuery,
  LogQuery,
  MessageQuery,
  NotificationQuery,
  ObjectQuery,
  RangeQuery,
  SeriesListQuery,
  ServiceCallQuery,
  SpanQuery,
} from '../queries';
import type {
  LogPage,
  RangeResult,
  RetentionPolicy,
  RetentionReport,
  SeriesInfo,
  ServiceCall,
  Store,
  StoreStats,
  WriteFailure,
  WriteResult,
} from '../store';
import { openDatabase, type ConnectionOptions } from './connection';
import { getLogsById } from './log-table';
import { listSeries, querySeries } from './metric-query';
import { migrate } from './migrations';
import { OpenStore, ReaderState } from './open-store';
import { toStoreError } from './sqlite-errors';
import { readStats } from './store-stats';
import { checkWrites, probeWrite } from './write-check';
import { WriteHealth, logWriteHealth } from './write-health';
import type { WriteOp } from './write-worker-protocol';
import { WriterThread } from './writer-thread';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions extends ConnectionOptions {
  /** Where the store reports migrations and failures; silent when absent. */
  logger?: Logger;
  /**
   * Write on a dedicated thread with its own connection (what the server does): writes no longer
   * block the event loop, and decoding requests and writing batches use two cores. Reads stay on
   * the calling thread's connection, which WAL lets run beside the writer. Default false: every
   * call runs on the calling thread.
   */
  writeThread?: boolean;
  /**
   * While writes fail for a reason that can clear up (see `writeFailure()`), how often the store
   * checks by itself whether they work again, ms (default 5000; 0: never, only a write that
   * succeeds ends the failure).
   */
  writeCheckIntervalMs?: number;
  /**
   * Room the database must have to grow before a store whose writes failed for want of it (a full
   * disk, an I/O error such as a file size limit) tries a write again, bytes: free space on the
   * disk, and below the process's file size limit (default 16 MiB: room for a few group commits,
   * so a small write that happens to fit does not announce a recovery the next batch disproves).
   */
  writeCheckMinFreeBytes?: number;
}

const WRITE_CHECK_INTERVAL_MS = 5000;
const WRITE_CHECK_MIN_FREE_BYTES = 16 * 1024 * 1024;
const ALWAYS = (): boolean => true;

/**
 * With a checkpointer thread, the writer checkpoints itself only past this many WAL pages (64 MiB
 * at 4 KiB pages): a backstop that keeps the WAL bounded if the checkpointer falls behind.
 */
const WRITER_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * The embedded store: one SQLite file in WAL mode, written by one connection on the calling
 * thread. See migrations.ts for the schema and log-search.ts for how searches stay fast.
 *
 * Lifecycle: `start()` opens (creating the file if needed) and migrates the schema; a database
 * from a newer Sleuth is refused. `stop()` waits for a running retention sweep to give up, then
 * closes; it is idempotent and safe without `start()`. Calls while stopped reject with a
 * non-retryable StoreError.
 */
export class SqliteStore implements Store {
  private open: OpenStore | undefined;
  private writer: WriterThread | undefined;
  private reader: ReaderState | undefined;
  private stopping = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly log: Logger | undefined;
  private readonly health: WriteHealth;

  constructor(private readonly opts: SqliteStoreOptions) {
    this.log = opts.logger?.child({ component: 'sqlite-store' });
    const need = opts.writeCheckMinFreeBytes ?? WRITE_CHECK_MIN_FREE_BYTES;
    this.health = new WriteHealth({
      checkIntervalMs: opts.writeCheckIntervalMs ?? WRITE_CHECK_INTERVAL_MS,
      check: (failure) => checkWrites(failure, opts.path, need, () => this.probeWrite()),
      onChange: logWriteHealth(this.log, opts.path),
    });
  }

  async start(): Promise<void> {
    if (this.open) return;
    this.stopping = false;
    this.health.resume();
    let db: Database | undefined;
    let open: OpenStore;
    try {
      db = openDatabase(this.opts);
      const applied = migrate(db);
      if (applied.length > 0) this.log?.info({ path: this.opts.path, applied }, 'store schema migrated');
      open = new OpenStore(db, () => this.stopping);
    } catch (err) {
      db?.close();
      throw toStoreError(err, `opening the store at ${this.opts.path}`);
    }
    if (this.opts.writeThread) {
      if (this.opts.path === ':memory:') {
        db.close();
        throw new StoreError('an in-memory store cannot use a writer thread: it has no file to share', {
          retryable: false,
        });
      }
      try {
        this.writer = await WriterThread.start(
          {
            path: this.opts.path,
            synchronous: this.opts.synchronous,
            walAutoCheckpointPages: WRITER_AUTOCHECKPOINT_PAGES,
            ...(this.opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.opts.busyTimeoutMs }),
          },
          {
            onCheckpointError: (message) =>
              this.log?.warn({ path: this.opts.path, err: message }, 'WAL checkpoint failed'),
            onFailure: (err) =>
              this.log?.error(
                { path: this.opts.path, err: err.message },
                'the store can no longer write: its writer thread died; restart Sleuth',
              ),
          },
        );
      } catch (err) {
        db.close();
        throw toStoreError(err, `starting the store's writer thread for ${this.opts.path}`);
      }
      // From here on this connection only reads: a write here would contend with the writer.
      db.pragma('query_only = ON');
      this.reader = new ReaderState(open);
    }
    this.open = open;
  }

  async stop(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.stopping = true;
    this.health.stop();
    // The writer first: it makes a running retention sweep give up, then finishes.
    await this.writer?.stop();
    await Promise.allSettled(this.inflight);
    if (this.open !== open) return;
    this.open = undefined;
    this.writer = undefined;
    this.reader = undefined;
    open.db.close();
  }

  writeBatch(batch: SignalBatch): Promise<WriteResult> {
    const wrote = (): boolean => batchSize(batch) > 0;
    return this.write('writeBatch', batch, 'writing a batch', (s) => s.write(batch), wrote);
  }

  searchLogs(query: LogQuery): Promise<LogPage> {
    return this.run('searching logs', (s) => s.logSearch.search(query));
  }

  getLogs(ids: readonly string[]): Promise<LogRecord[]> {
    return this.run('reading logs', (s) => getLogsById(s.db, s.sources, ids));
  }

  listSeries(query: SeriesListQuery): Promise<SeriesInfo[]> {
    return this.run('listing series', (s) => listSeries(s.db, query));
  }

  querySeries(query: RangeQuery): Promise<RangeResult> {
    return this.run('querying series', (s) => querySeries(s.db, query));
  }

  getTrace(traceId: string): Promise<Span[]> {
    return this.run('reading a trace', (s) => s.spans.trace(traceId));
  }

  searchSpans(query: SpanQuery): Promise<Span[]> {
    return this.run('searching spans', (s) => s.spans.search(query));
  }

  serviceCalls(query: ServiceCallQuery): Promise<ServiceCall[]> {
    return this.run('finding service calls', (s) => s.spans.serviceCalls(query));
  }

  listEvents(query: EventQuery): Promise<K8sEvent[]> {
    return this.run('listing events', (s) => s.events.list(query));
  }

  listObjects(query: ObjectQuery): Promise<ObjectSnapshot[]> {
    return this.run('listing objects', (s) => s.objects.list(query));
  }

  getObject(ref: ResourceRef): Promise<ObjectSnapshot | undefined> {
    return this.run('reading an object', (s) => s.objects.get(ref));
  }

  objectHistory(ref: ResourceRef, query: HistoryQuery): Promise<ObjectSnapshot[]> {
    return this.run('reading object history', (s) => s.objects.history(ref, query));
  }

  putAnomalies(anomalies: readonly Anomaly[]): Promise<void> {
    const put = (s: OpenStore): void => s.analysis.putAnomalies(anomalies);
    return this.write('putAnomalies', anomalies, 'writing anomalies', put, () => anomalies.length > 0);
  }

  listAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    return this.run('listing anomalies', (s) => s.analysis.listAnomalies(query));
  }

  putIncident(incident: Incident): Promise<void> {
    return this.write('putIncident', incident, 'writing an incident', (s) =>
      s.analysis.putIncident(incident),
    );
  }

  getIncident(id: string): Promise<Incident | undefined> {
    return this.run('reading an incident', (s) => s.analysis.getIncident(id));
  }

  listIncidents(query: IncidentQuery): Promise<Incident[]> {
    return this.run('listing incidents', (s) => s.analysis.listIncidents(query));
  }

  putConversation(conversation: Conversation): Promise<void> {
    const put = (s: OpenStore): void => s.conversations.putConversation(conversation);
    return this.write('putConversation', conversation, 'writing a conversation', put);
  }

  getConversation(id: string): Promise<Conversation | undefined> {
    return this.run('reading a conversation', (s) => s.conversations.getConversation(id));
  }

  listConversations(query: ConversationQuery): Promise<Conversation[]> {
    return this.run('listing conversations', (s) => s.conversations.listConversations(query));
  }

  appendMessage(message: ChatMessage): Promise<void> {
    const append = (s: OpenStore): void => s.conversations.appendMessage(message);
    return this.write('appendMessage', message, 'appending a chat message', append);
  }

  listMessages(conversationId: string, query?: MessageQuery): Promise<ChatMessage[]> {
    return this.run('listing chat messages', (s) => s.conversations.listMessages(conversationId, query));
  }

  putInvestigation(investigation: Investigation): Promise<void> {
    const put = (s: OpenStore): void => s.investigations.put(investigation);
    return this.write('putInvestigation', investigation, 'writing an investigation', put);
  }

  getInvestigation(id: string): Promise<Investigation | undefined> {
    return this.run('reading an investigation', (s) => s.investigations.get(id));
  }

  listInvestigations(incidentId: string, query?: InvestigationQuery): Promise<Investigation[]> {
    return this.run('listing investigations', (s) => s.investigations.list(incidentId, query));
  }

  putAlerts(alerts: readonly Alert[]): Promise<void> {
    return this.write(
      'putAlerts',
      alerts,
      'writing alerts',
      (s) => s.alerts.put(alerts),
      () => alerts.length > 0,
    );
  }

  getAlerts(ids: readonly string[]): Promise<Alert[]> {
    return this.run('reading alerts', (s) => s.alerts.get(ids));
  }

  listAlerts(query: AlertQuery): Promise<Alert[]> {
    return this.run('listing alerts', (s) => s.alerts.list(query));
  }

  putNotification(n: NotificationDelivery): Promise<void> {
    return this.write('putNotification', n, 'writing a notification', (s) => s.notifications.put(n));
  }

  listNotifications(query: NotificationQuery): Promise<NotificationDelivery[]> {
    return this.run('listing notifications', (s) => s.notifications.list(query));
  }

  appendFixAction(action: FixAction): Promise<void> {
    const append = (s: OpenStore): void => s.fixActions.append(action);
    return this.write('appendFixAction', action, 'writing the remediation audit log', append);
  }

  listFixActions(query: FixActionQuery): Promise<FixAction[]> {
    return this.run('reading the remediation audit log', (s) => s.fixActions.list(query));
  }

  enforceRetention(policy: RetentionPolicy): Promise<RetentionReport> {
    const sweep = this.writer
      ? this.forward<RetentionReport>('enforceRetention', policy)
      : this.sweepHere(policy);
    // A sweep that deleted nothing may have written nothing either.
    return this.health.track(sweep, (r) => Object.values(r.deleted).some((n) => n > 0));
  }

  private async sweepHere(policy: RetentionPolicy): Promise<RetentionReport> {
    const s = this.require();
    const sweep = s.retention.enforce(policy);
    this.inflight.add(sweep);
    try {
      return await sweep;
    } catch (err) {
      throw toStoreError(err, 'enforcing retention');
    } finally {
      this.inflight.delete(sweep);
    }
  }

  /** Also how readiness is judged: it fails once the writer thread cannot write any more. */
  stats(): Promise<StoreStats> {
    const writerFailure = this.writer?.failed;
    if (writerFailure) return Promise.reject(writerFailure);
    return this.run('reading stats', (s) => readStats(s.db));
  }

  writeFailure(): WriteFailure | undefined {
    return this.health.current();
  }

  /**
   * A write that changes nothing (see write-check.ts), on the writer thread when there is one:
   * resolves once a write commits, rejects with the StoreError a write would meet. How the store
   * checks whether failing writes work again; not part of Store.
   */
  probeWrite(): Promise<void> {
    if (this.writer) return this.forward('probeWrite', undefined);
    return this.run('checking that writes work', (s) => probeWrite(s.db));
  }

  /** A write, on the writer thread when there is one, else here; its outcome kept for writeFailure(). */
  private write<T>(
    op: WriteOp,
    arg: unknown,
    action: string,
    here: (s: OpenStore) => T,
    wrote: (result: T) => boolean = ALWAYS,
  ): Promise<T> {
    const call = this.writer ? this.forward<T>(op, arg) : this.run(action, here);
    return this.health.track(call, wrote);
  }

  private require(): OpenStore {
    if (!this.open || this.stopping) {
      throw new StoreError('the store is not open: call start() first (or it was stopped)', {
        retryable: false,
      });
    }
    return this.open;
  }

  /** A write, sent to the writer thread; tracked so stop() waits for it. */
  private forward<T>(op: WriteOp, arg: unknown): Promise<T> {
    const writer = this.writer;
    try {
      this.require();
    } catch (err) {
      return Promise.reject(toStoreError(err, 'writing'));
    }
    if (!writer)
      return Promise.reject(new StoreError('the store has no writer thread', { retryable: false }));
    const call = writer.call<T>(op, arg);
    this.inflight.add(call);
    const done = (): void => {
      this.inflight.delete(call);
    };
    call.then(done, done);
    return call;
  }

  private run<T>(action: string, fn: (s: OpenStore) => T): Promise<T> {
    try {
      const open = this.require();
      this.reader?.catchUp();
      return Promise.resolve(fn(open));
    } catch (err) {
      return Promise.reject(toStoreError(err, action));
    }
  }
}
