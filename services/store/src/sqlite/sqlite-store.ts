import type { Database } from 'better-sqlite3';
import {
  StoreError,
  type Anomaly,
  type Incident,
  type K8sEvent,
  type LogRecord,
  type Logger,
  type ObjectSnapshot,
  type ResourceRef,
  type SignalBatch,
  type Span,
} from '@sleuth/core';
import type {
  AnomalyQuery,
  EventQuery,
  HistoryQuery,
  IncidentQuery,
  LogQuery,
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
import { AnalysisTable } from './analysis-table';
import { toStoreError } from './codec';
import { openDatabase, type ConnectionOptions } from './connection';
import { EventTable } from './event-table';
import { getLogsById, LogTable } from './log-table';
import { LogSearch } from './log-search';
import { listSeries, querySeries } from './metric-query';
import { MetricTable } from './metric-table';
import { currentVersion, migrate } from './migrations';
import { ObjectTable } from './object-table';
import { RetentionSweep, usedBytes } from './retention';
import { SourceDictionary } from './source-dictionary';
import { SpanTable } from './span-table';
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

/** Everything that exists while the database is open. */
class OpenStore {
  readonly sources: SourceDictionary;
  readonly logs: LogTable;
  readonly logSearch: LogSearch;
  readonly metrics: MetricTable;
  readonly spans: SpanTable;
  readonly events: EventTable;
  readonly objects: ObjectTable;
  readonly analysis: AnalysisTable;
  readonly retention: RetentionSweep;
  private readonly writeTx: (batch: SignalBatch) => WriteResult;

  constructor(
    readonly db: Database,
    shouldStop: () => boolean,
  ) {
    this.sources = new SourceDictionary(db);
    this.logs = new LogTable(db, this.sources);
    this.logSearch = new LogSearch(db, this.sources);
    this.metrics = new MetricTable(db);
    this.spans = new SpanTable(db, this.sources);
    this.events = new EventTable(db);
    this.objects = new ObjectTable(db);
    this.analysis = new AnalysisTable(db);
    this.retention = new RetentionSweep(db, this.metrics, shouldStop);
    const count = db.prepare<[number, string]>('UPDATE signal_counts SET n = n + ? WHERE kind = ?');
    this.writeTx = db.transaction((batch: SignalBatch): WriteResult => {
      const logs = this.logs.write(batch.logs);
      const [metrics, newPoints] = this.metrics.write(batch.metrics);
      const [spans, newSpans] = this.spans.write(batch.spans);
      const events = this.events.write(batch.events);
      const objects = this.objects.write(batch.objects);
      if (logs > 0) count.run(logs, 'logs');
      if (newPoints > 0) count.run(newPoints, 'metrics');
      if (newSpans > 0) count.run(newSpans, 'spans');
      return { logs, metrics, spans, events, objects };
    });
    this.loadCaches();
  }

  write(batch: SignalBatch): WriteResult {
    try {
      return this.writeTx(batch);
    } catch (err) {
      // Dictionary entries created by the rolled-back transaction must not stay cached.
      this.loadCaches();
      throw err;
    }
  }

  loadCaches(): void {
    this.sources.load();
    this.metrics.load();
  }
}

/** The reading side when a writer thread owns all writes: sees what the writer commits. */
class ReaderState {
  private readonly dataVersion;
  private seenVersion: number;

  constructor(private readonly open: OpenStore) {
    this.dataVersion = open.db.prepare<[], number>('PRAGMA data_version').pluck();
    this.seenVersion = this.version();
  }

  /** Picks up dictionary entries the writer committed since the last read. */
  catchUp(): void {
    const v = this.version();
    if (v === this.seenVersion) return;
    this.seenVersion = v;
    this.open.sources.refresh();
  }

  private version(): number {
    return Number(this.dataVersion.get());
  }
}

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
    return this.run('reading stats', (s) => {
      const count = (sql: string): number => Number(s.db.prepare<[], number>(sql).pluck().get() ?? 0);
      const signal = (kind: string): number =>
        Number(
          s.db.prepare<[string], number>('SELECT n FROM signal_counts WHERE kind = ?').pluck().get(kind) ?? 0,
        );
      return {
        counts: {
          logs: signal('logs'),
          metrics: signal('metrics'),
          spans: signal('spans'),
          events: count('SELECT count(*) FROM events'),
          objects: count('SELECT count(*) FROM objects'),
          series: count('SELECT count(*) FROM metric_series'),
          anomalies: count('SELECT count(*) FROM anomalies'),
          incidents: count('SELECT count(*) FROM incidents'),
        },
        bytes: usedBytes(s.db),
        schemaVersion: currentVersion(s.db),
      };
    });
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
