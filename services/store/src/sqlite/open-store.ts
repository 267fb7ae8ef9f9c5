import type { Database } from 'better-sqlite3';
import type { SignalBatch } from '@sleuth/core';
import type { WriteResult } from '../store';
import { AlertTable } from './alert-table';
import { FixActionTable } from './fix-action-table';
import { AnalysisTable } from './analysis-table';
import { ConversationTable } from './conversation-table';
import { EventTable } from './event-table';
import { InvestigationTable } from './investigation-table';
import { LogTable } from './log-table';
import { LogSearch } from './log-search';
import { MetricTable } from './metric-table';
import { NotificationTable } from './notification-table';
import { ObjectTable } from './object-table';
import { RetentionSweep } from './retention';
import { SourceDictionary } from './source-dictionary';
import { SpanTable } from './span-table';

/** Everything that exists while the database is open. */
export class OpenStore {
  readonly sources: SourceDictionary;
  readonly logs: LogTable;
  readonly logSearch: LogSearch;
  readonly metrics: MetricTable;
  readonly spans: SpanTable;
  readonly events: EventTable;
  readonly objects: ObjectTable;
  readonly analysis: AnalysisTable;
  readonly conversations: ConversationTable;
  readonly investigations: InvestigationTable;
  readonly alerts: AlertTable;
  readonly notifications: NotificationTable;
  readonly fixActions: FixActionTable;
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
    this.conversations = new ConversationTable(db);
    this.investigations = new InvestigationTable(db);
    this.alerts = new AlertTable(db);
    this.notifications = new NotificationTable(db);
    this.fixActions = new FixActionTable(db);
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
export class ReaderState {
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
