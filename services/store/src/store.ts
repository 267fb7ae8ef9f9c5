import type {
  Alert,
  FixAction,
  Anomaly,
  ChatMessage,
  Component,
  Conversation,
  EpochMs,
  Incident,
  Investigation,
  K8sEvent,
  LogRecord,
  MetricType,
  NotificationDelivery,
  ObjectSnapshot,
  ResourceRef,
  SignalBatch,
  SignalSource,
  Span,
} from '@sleuth/core';
import type {
  AlertQuery,
  FixActionQuery,
  AnomalyQuery,
  ConversationQuery,
  EventQuery,
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
} from './queries';

/** One side of a service call: the service and where its spans came from. */
export interface ServiceEndpoint {
  service: string;
  cluster: string;
  namespace?: string;
}

/** Calls from one service to another in a window, from parent/child spans across services. */
export interface ServiceCall {
  from: ServiceEndpoint;
  to: ServiceEndpoint;
  calls: number;
  /** Calls whose callee span has status error. */
  errors: number;
  /** Mean duration of the callee spans, ms. */
  meanDurationMs: number;
}

export interface WriteResult {
  logs: number;
  metrics: number;
  spans: number;
  events: number;
  objects: number;
}

export interface LogPage {
  /** Newest first. Each record carries its store-assigned `id`. */
  records: LogRecord[];
  /** Pass as `cursor` to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface SeriesInfo {
  id: string;
  name: string;
  labels: Record<string, string>;
  type: MetricType;
  unit?: string;
  source: SignalSource;
  firstMs: EpochMs;
  lastMs: EpochMs;
}

export interface SeriesResult {
  series: SeriesInfo;
  /** [timeMs, value] pairs in time order; with a step, timeMs is the bucket start. */
  points: [EpochMs, number][];
}

export interface RangeResult {
  series: SeriesResult[];
  /** True when more series matched than `limit`. */
  truncated: boolean;
}

export interface RetentionPolicy {
  /** Delete signals older than this. */
  maxAgeMs: number;
  /** Then delete the oldest signals until the store is under this size. */
  maxBytes: number;
  nowMs: EpochMs;
}

export interface RetentionReport {
  deleted: WriteResult;
  bytesBefore: number;
  bytesAfter: number;
}

export interface StoreStats {
  counts: WriteResult & {
    series: number;
    anomalies: number;
    incidents: number;
    conversations: number;
    chatMessages: number;
    investigations: number;
    alerts: number;
    notifications: number;
    fixActions: number;
  };
  bytes: number;
  schemaVersion: number;
}

/**
 * Why writes can fail for a while and then work again, as `details.reason` of a retryable
 * StoreError: the disk is full, another process holds a lock on the data, the operating system
 * refused a read or write (a failing disk, a file size limit), or memory ran out.
 */
export type WriteFailureReason = 'disk_full' | 'locked' | 'io_error' | 'out_of_memory';

/**
 * Writes are failing: the store's last write failed for a reason that can clear up, and no write
 * has succeeded since. Readiness (`/readyz`) reports it until a write succeeds again.
 */
export interface WriteFailure {
  reason: WriteFailureReason;
  /** The failed write's error message, as its caller heard it (e.g. an ingest request's 503). */
  message: string;
  /** The store's own code for it, e.g. `SQLITE_FULL`. */
  code?: string;
  /** When the last write failed, epoch ms. */
  atMs: EpochMs;
  /** When the first write of this run of failures failed, epoch ms. */
  sinceMs: EpochMs;
  /** Writes that failed since `sinceMs`, the last one included. */
  failedWrites: number;
  /**
   * The store's latest check whether writes work again, when it made one: while writes fail it
   * checks by itself every few seconds, since a server taken out of rotation receives no writes
   * that could show it has recovered.
   */
  lastCheck?: { atMs: EpochMs; result: string };
}

/**
 * Where every signal, anomaly, incident, chat conversation, investigation, received alert and
 * notification delivery lives. Implementations: SQLite (embedded default) and, later,
 * Elasticsearch; both must pass `describeStoreContract` (store-contract.ts).
 *
 * Lifecycle: `start()` opens and migrates; `stop()` closes (idempotent). Every method may reject
 * with a StoreError whose `retryable` says whether the same call can succeed later.
 */
export interface Store extends Component {
  /**
   * Writes a batch atomically: when the promise resolves, every record in it is durable (survives
   * a crash of the process); when it rejects, none is. K8s events with a `uid` already stored are
   * updated (count, lastMs, message), not duplicated. Object snapshots update the latest state of
   * their object and append to its history.
   */
  writeBatch(batch: SignalBatch): Promise<WriteResult>;

  /** Full-text and filtered log search, newest first. */
  searchLogs(query: LogQuery): Promise<LogPage>;
  getLogs(ids: readonly string[]): Promise<LogRecord[]>;

  listSeries(query: SeriesListQuery): Promise<SeriesInfo[]>;
  /** Points of every series matching name + filters, within [fromMs, toMs). */
  querySeries(query: RangeQuery): Promise<RangeResult>;

  /** Every span of a trace, by start time. */
  getTrace(traceId: string): Promise<Span[]>;
  /** Spans matching the filters, newest first. */
  searchSpans(query: SpanQuery): Promise<Span[]>;
  /** Service-to-service calls seen in traces (child span's service ≠ parent's), most calls first. */
  serviceCalls(query: ServiceCallQuery): Promise<ServiceCall[]>;

  /** Events newest (by lastMs) first, each with its store `id`. */
  listEvents(query: EventQuery): Promise<K8sEvent[]>;

  /** Latest state of matching objects (deleted ones only with includeDeleted). */
  listObjects(query: ObjectQuery): Promise<ObjectSnapshot[]>;
  getObject(ref: ResourceRef): Promise<ObjectSnapshot | undefined>;
  /** Past states of one object, newest first. */
  objectHistory(ref: ResourceRef, query: HistoryQuery): Promise<ObjectSnapshot[]>;

  /** Inserts or replaces anomalies by id. */
  putAnomalies(anomalies: readonly Anomaly[]): Promise<void>;
  listAnomalies(query: AnomalyQuery): Promise<Anomaly[]>;

  /** Inserts or replaces an incident by id. */
  putIncident(incident: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** Newest (by updatedMs) first. */
  listIncidents(query: IncidentQuery): Promise<Incident[]>;

  /** Inserts or replaces a conversation by id (its messages stay). */
  putConversation(conversation: Conversation): Promise<void>;
  getConversation(id: string): Promise<Conversation | undefined>;
  /**
   * Newest (by updatedMs, then id) first; only those pinned to `incidentId` when given; from
   * `before` on, so pages neither skip nor repeat a conversation.
   */
  listConversations(query: ConversationQuery): Promise<Conversation[]>;
  /**
   * Appends a message to its conversation; a message whose id is already stored is replaced and
   * keeps its place. Moves the conversation's updatedMs forward to the message's createdMs (never
   * back). Rejects with NotFoundError when the conversation does not exist.
   */
  appendMessage(message: ChatMessage): Promise<void>;
  /** A conversation's last `limit` messages, oldest (first appended) first; [] for an unknown one. */
  listMessages(conversationId: string, query?: MessageQuery): Promise<ChatMessage[]>;

  /** Inserts or replaces an investigation by id. */
  putInvestigation(investigation: Investigation): Promise<void>;
  getInvestigation(id: string): Promise<Investigation | undefined>;
  /** An incident's investigations, newest (by updatedMs, then id) first. */
  listInvestigations(incidentId: string, query?: InvestigationQuery): Promise<Investigation[]>;

  /**
   * Inserts or replaces alerts by id, in one transaction: when the promise resolves every alert of
   * the batch is durable; when it rejects (e.g. ValidationError for an alert that does not match
   * its schema), none is.
   */
  putAlerts(alerts: readonly Alert[]): Promise<void>;
  /**
   * The stored alerts among `ids`, in the order of their first mention; unknown ids are left out.
   * Thousands of ids may be asked for at once.
   */
  getAlerts(ids: readonly string[]): Promise<Alert[]>;
  /**
   * Newest (by updatedMs, then id) first, filtered by receiver, status, incident and fingerprint;
   * from `before` on, so pages neither skip nor repeat an alert.
   */
  listAlerts(query: AlertQuery): Promise<Alert[]>;

  /** Inserts or replaces a notification delivery by id. */
  putNotification(n: NotificationDelivery): Promise<void>;
  /**
   * Newest (by createdMs, then id) first, filtered by incident, channel and status; from `before`
   * on, so pages neither skip nor repeat a delivery.
   */
  listNotifications(query: NotificationQuery): Promise<NotificationDelivery[]>;

  /**
   * Appends one entry to the remediation audit log, durable when the promise resolves. Entries are
   * never replaced: an id already there rejects with ValidationError.
   */
  appendFixAction(action: FixAction): Promise<void>;
  /** Newest (by atMs, then id) first, filtered by incident and outcome; from `before` on. */
  listFixActions(query: FixActionQuery): Promise<FixAction[]>;

  /**
   * Deletes signals by age, then by size (oldest first). Anomalies, incidents, conversations with
   * their messages, investigations, alerts, notification deliveries and the remediation audit log are kept.
   */
  enforceRetention(policy: RetentionPolicy): Promise<RetentionReport>;
  stats(): Promise<StoreStats>;

  /**
   * Whether writes are failing right now, without touching the data: the last write failed with a
   * retryable StoreError naming a {@link WriteFailureReason} and none has succeeded since;
   * `undefined` otherwise. A write refused for its content (ValidationError) is not a write
   * failure, and a write with nothing to write does not end one. Cheap enough for every readiness
   * probe.
   */
  writeFailure(): WriteFailure | undefined;
}
