import {
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
import { getLogsById } from './log-table';
import { listSeries, querySeries } from './metric-query';
import type { OpenStore } from './open-store';
import { StoreEngine, type SqliteStoreOptions } from './store-engine';
import type { WriteOp } from './write-worker-protocol';

export type { SqliteStoreOptions } from './store-engine';

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
  private readonly engine: StoreEngine;

  constructor(opts: SqliteStoreOptions) {
    this.engine = new StoreEngine(opts);
  }

  start(): Promise<void> {
    return this.engine.start();
  }

  stop(): Promise<void> {
    return this.engine.stop();
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
    return this.engine.enforceRetention(policy);
  }

  /** Also how readiness is judged: it fails once the writer thread cannot write any more. */
  stats(): Promise<StoreStats> {
    return this.engine.stats();
  }

  writeFailure(): WriteFailure | undefined {
    return this.engine.writeFailure();
  }

  /** A write that changes nothing (write-check.ts); how failing writes are checked. Not part of Store. */
  probeWrite(): Promise<void> {
    return this.engine.probeWrite();
  }

  private write<T>(
    op: WriteOp,
    arg: unknown,
    action: string,
    here: (s: OpenStore) => T,
    wrote?: (result: T) => boolean,
  ): Promise<T> {
    return this.engine.write(op, arg, action, here, wrote);
  }

  private run<T>(action: string, fn: (s: OpenStore) => T): Promise<T> {
    return this.engine.run(action, fn);
  }
}
