import type { Database } from 'better-sqlite3';
import {
  StoreError,
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
  WriteResult,
} from '../store';
import { openDatabase, type ConnectionOptions } from './connection';
import { getLogsById } from './log-table';
import { listSeries, querySeries } from './metric-query';
import { migrate } from './migrations';
import { OpenStore, ReaderState } from './open-store';
import { toStoreError } from './sqlite-errors';
import { readStats } from './store-stats';
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
}

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

  constructor(private readonly opts: SqliteStoreOptions) {
    this.log = opts.logger?.child({ component: 'sqlite-store' });
  }

  async start(): Promise<void> {
    if (this.open) return;
    this.stopping = false;
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
    if (this.writer) return this.forward('writeBatch', batch);
    return this.run('writing a batch', (s) => s.write(batch));
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
    if (this.writer) return this.forward('putAnomalies', anomalies);
    return this.run('writing anomalies', (s) => s.analysis.putAnomalies(anomalies));
  }

  listAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    return this.run('listing anomalies', (s) => s.analysis.listAnomalies(query));
  }

  putIncident(incident: Incident): Promise<void> {
    if (this.writer) return this.forward('putIncident', incident);
    return this.run('writing an incident', (s) => s.analysis.putIncident(incident));
  }

  getIncident(id: string): Promise<Incident | undefined> {
    return this.run('reading an incident', (s) => s.analysis.getIncident(id));
  }

  listIncidents(query: IncidentQuery): Promise<Incident[]> {
    return this.run('listing incidents', (s) => s.analysis.listIncidents(query));
  }

  putConversation(conversation: Conversation): Promise<void> {
    if (this.writer) return this.forward('putConversation', conversation);
    return this.run('writing a conversation', (s) => s.conversations.putConversation(conversation));
  }

  getConversation(id: string): Promise<Conversation | undefined> {
    return this.run('reading a conversation', (s) => s.conversations.getConversation(id));
  }

  listConversations(query: ConversationQuery): Promise<Conversation[]> {
    return this.run('listing conversations', (s) => s.conversations.listConversations(query));
  }

  appendMessage(message: ChatMessage): Promise<void> {
    if (this.writer) return this.forward('appendMessage', message);
    return this.run('appending a chat message', (s) => s.conversations.appendMessage(message));
  }

  listMessages(conversationId: string, query?: MessageQuery): Promise<ChatMessage[]> {
    return this.run('listing chat messages', (s) => s.conversations.listMessages(conversationId, query));
  }

  putInvestigation(investigation: Investigation): Promise<void> {
    if (this.writer) return this.forward('putInvestigation', investigation);
    return this.run('writing an investigation', (s) => s.investigations.put(investigation));
  }

  getInvestigation(id: string): Promise<Investigation | undefined> {
    return this.run('reading an investigation', (s) => s.investigations.get(id));
  }

  listInvestigations(incidentId: string, query?: InvestigationQuery): Promise<Investigation[]> {
    return this.run('listing investigations', (s) => s.investigations.list(incidentId, query));
  }

  putAlerts(alerts: readonly Alert[]): Promise<void> {
    if (this.writer) return this.forward('putAlerts', alerts);
    return this.run('writing alerts', (s) => s.alerts.put(alerts));
  }

  getAlerts(ids: readonly string[]): Promise<Alert[]> {
    return this.run('reading alerts', (s) => s.alerts.get(ids));
  }

  listAlerts(query: AlertQuery): Promise<Alert[]> {
    return this.run('listing alerts', (s) => s.alerts.list(query));
  }

  putNotification(n: NotificationDelivery): Promise<void> {
    if (this.writer) return this.forward('putNotification', n);
    return this.run('writing a notification', (s) => s.notifications.put(n));
  }

  listNotifications(query: NotificationQuery): Promise<NotificationDelivery[]> {
    return this.run('listing notifications', (s) => s.notifications.list(query));
  }

  appendFixAction(action: FixAction): Promise<void> {
    if (this.writer) return this.forward('appendFixAction', action);
    return this.run('writing the remediation audit log', (s) => s.fixActions.append(action));
  }

  listFixActions(query: FixActionQuery): Promise<FixAction[]> {
    return this.run('reading the remediation audit log', (s) => s.fixActions.list(query));
  }

  async enforceRetention(policy: RetentionPolicy): Promise<RetentionReport> {
    if (this.writer) return this.forward('enforceRetention', policy);
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
