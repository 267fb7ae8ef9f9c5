import { K8sEvent, refKey, type Anomaly, type SignalBatch } from '@sleuth/core';
import { anomalyId, type Detector } from '../detector';
import { EndedAnomalies } from './ended-anomalies';
import { classifyWarning, WARNING_REASONS, type EventClass } from './event-reasons';
import { clip } from './kube-shapes';
import { SEVERITY_SCORE } from './rule';

/** The Warning event detector's registry id, written as `Anomaly.detector`. */
export const K8S_EVENTS_DETECTOR = 'k8s-events';

/** Event ids kept as evidence per anomaly (the latest), and event series counted per anomaly. */
const MAX_IDS = 100;
const MAX_SERIES = 64;

/** Tunables of K8sEventDetector; DEFAULT_K8S_EVENT_OPTIONS fills what is not given. */
export interface K8sEventDetectorOptions {
  /** Reason -> category and severity; reasons not listed are `other`, low. */
  reasons: Readonly<Record<string, EventClass>>;
  /** New anomalies per cluster per minute (of event time); more are suppressed and counted. */
  maxNewPerClusterPerMinute: number;
  /** An anomaly ends when its reason has not recurred on its object for this long (ms). */
  quietMs: number;
  /** Repeats update an open anomaly at most this often (ms); the end always carries the latest. */
  refreshMs: number;
  /** Open anomalies kept at most; beyond, new ones are dropped and counted. */
  maxOpen: number;
}

/** The built-in reason table; 30 new anomalies per cluster per minute; 10 quiet minutes end one. */
export const DEFAULT_K8S_EVENT_OPTIONS: K8sEventDetectorOptions = {
  reasons: WARNING_REASONS,
  maxNewPerClusterPerMinute: 30,
  quietMs: 10 * 60_000,
  refreshMs: 60_000,
  maxOpen: 10_000,
};

/** What the detector holds and what it refused, for /metrics and tests. */
export interface K8sEventDetectorStats {
  /** Open anomalies. */
  open: number;
  /** Events that could not be read. */
  skipped: number;
  /** New anomalies not opened because their cluster hit the per-minute cap. */
  suppressed: number;
  /** The same, per cluster. */
  suppressedByCluster: Record<string, number>;
  /** New anomalies not opened because `maxOpen` were open. */
  dropped: number;
}

interface OpenEvent {
  anomaly: Anomaly;
  reason: string;
  cls: EventClass;
  firstMessage: string;
  lastMessage: string;
  count: number;
  /** The latest count of each event series (uid, else message): a repeat adds only what is new. */
  series: Map<string, number>;
  ids: string[];
  lastEmitMs: number;
  dirty: boolean;
}

/**
 * Kubernetes Warning event detector (`k8s-events`): one anomaly per involved object and reason,
 * classified by reason (WARNING_REASONS), whose count, lastSeenMs and evidence (event ids) grow
 * as the event repeats; it ends (endMs = the last occurrence) once the reason has been quiet on
 * that object for `quietMs`. New anomalies are capped per cluster per minute, the excess counted.
 * Normal events are ignored; unreadable ones are skipped and counted.
 */
export class K8sEventDetector implements Detector {
  readonly id = K8S_EVENTS_DETECTOR;
  private readonly opts: K8sEventDetectorOptions;
  private readonly open = new Map<string, OpenEvent>();
  private readonly ended = new EndedAnomalies();
  private readonly windows = new Map<string, { minute: number; opened: number }>();
  private readonly suppressedByCluster = new Map<string, number>();
  private skipped = 0;
  private suppressed = 0;
  private dropped = 0;

  constructor(options: Partial<K8sEventDetectorOptions> = {}) {
    this.opts = { ...DEFAULT_K8S_EVENT_OPTIONS, ...options };
  }

  observe(batch: SignalBatch): Anomaly[] {
    const touched = new Set<OpenEvent>();
    const out: Anomaly[] = [];
    for (const raw of batch.events) {
      try {
        if (raw.type !== 'Warning') continue;
        const parsed = K8sEvent.safeParse(raw);
        if (!parsed.success || parsed.data.reason === '') {
          this.skipped++;
          continue;
        }
        const opened = this.record(parsed.data, touched);
        if (opened) out.push(opened);
      } catch {
        this.skipped++;
      }
    }
    for (const o of touched) {
      if (o.dirty && o.anomaly.lastSeenMs - o.lastEmitMs >= this.opts.refreshMs) out.push(this.emit(o));
    }
    return out;
  }

  tick(nowMs: number): Anomaly[] {
    const out: Anomaly[] = [];
    for (const [key, o] of this.open) {
      if (nowMs - o.anomaly.lastSeenMs >= this.opts.quietMs) {
        this.refresh(o);
        out.push({ ...o.anomaly, endMs: o.anomaly.lastSeenMs });
        this.ended.add(o.anomaly.id);
        this.open.delete(key);
      } else if (o.dirty && nowMs - o.lastEmitMs >= this.opts.refreshMs) {
        out.push(this.emit(o));
      }
    }
    const minute = Math.floor(nowMs / 60_000);
    for (const [cluster, w] of this.windows) if (w.minute < minute) this.windows.delete(cluster);
    return out;
  }

  stats(): K8sEventDetectorStats {
    return {
      open: this.open.size,
      skipped: this.skipped,
      suppressed: this.suppressed,
      suppressedByCluster: Object.fromEntries(this.suppressedByCluster),
      dropped: this.dropped,
    };
  }

  /** Adds one event to its anomaly; returns the anomaly if it opened now. */
  private record(e: K8sEvent, touched: Set<OpenEvent>): Anomaly | undefined {
    const key = `${refKey(e.involved)}/${e.reason}`;
    const existing = this.open.get(key);
    if (existing) {
      this.add(existing, e);
      touched.add(existing);
      return undefined;
    }
    const onsetMs = this.onset(key, e);
    if (onsetMs === undefined) return undefined;
    if (this.open.size >= this.opts.maxOpen) {
      this.dropped++;
      return undefined;
    }
    if (!this.allow(e.cluster, e.lastMs)) return undefined;
    const cls = classifyWarning(e.reason, this.opts.reasons);
    const o: OpenEvent = {
      anomaly: {
        id: anomalyId(K8S_EVENTS_DETECTOR, key, onsetMs),
        detector: K8S_EVENTS_DETECTOR,
        resource: e.involved,
        signal: { kind: 'event', ids: [] },
        onsetMs,
        lastSeenMs: e.lastMs,
        score: SEVERITY_SCORE[cls.severity],
        title: '',
        explanation: '',
      },
      reason: e.reason,
      cls,
      firstMessage: e.message,
      lastMessage: e.message,
      count: 0,
      series: new Map(),
      ids: [],
      lastEmitMs: -Infinity,
      dirty: true,
    };
    this.add(o, e);
    this.open.set(key, o);
    return this.emit(o);
  }

  /** The onset for a new anomaly: the event's first occurrence, unless that episode already ended. */
  private onset(key: string, e: K8sEvent): number | undefined {
    for (const onset of [Math.min(e.firstMs, e.lastMs), e.lastMs]) {
      if (!this.ended.has(anomalyId(K8S_EVENTS_DETECTOR, key, onset))) return onset;
    }
    // The same occurrence again, after its anomaly ended: nothing new.
    return undefined;
  }

  /** The per-cluster, per-minute budget of new anomalies. */
  private allow(cluster: string, atMs: number): boolean {
    const minute = Math.floor(atMs / 60_000);
    let w = this.windows.get(cluster);
    if (!w || minute > w.minute) {
      w = { minute, opened: 0 };
      this.windows.set(cluster, w);
    }
    if (w.opened >= this.opts.maxNewPerClusterPerMinute) {
      this.suppressed++;
      this.suppressedByCluster.set(cluster, (this.suppressedByCluster.get(cluster) ?? 0) + 1);
      return false;
    }
    w.opened++;
    return true;
  }

  private add(o: OpenEvent, e: K8sEvent): void {
    const series = e.uid ?? e.message;
    const seen = o.series.get(series) ?? 0;
    o.series.delete(series);
    o.series.set(series, Math.max(seen, e.count));
    if (o.series.size > MAX_SERIES) o.series.delete(o.series.keys().next().value ?? '');
    const added = Math.max(0, e.count - seen);
    o.count += added;
    const eventId = e.id ?? e.uid;
    if (eventId !== undefined && !o.ids.includes(eventId)) {
      o.ids.push(eventId);
      if (o.ids.length > MAX_IDS) o.ids.shift();
      o.dirty = true;
    }
    if (added > 0) o.dirty = true;
    if (e.lastMs >= o.anomaly.lastSeenMs) {
      if (e.lastMs > o.anomaly.lastSeenMs || e.message !== o.lastMessage) o.dirty = true;
      o.anomaly.lastSeenMs = e.lastMs;
      o.lastMessage = e.message;
    }
  }

  private emit(o: OpenEvent): Anomaly {
    this.refresh(o);
    o.dirty = false;
    o.lastEmitMs = o.anomaly.lastSeenMs;
    return { ...o.anomaly };
  }

  /** Brings title, explanation and evidence up to date with what was recorded. */
  private refresh(o: OpenEvent): void {
    const a = o.anomaly;
    const r = a.resource;
    const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
    const reason = o.reason;
    a.title = clip(`${reason}: ${r.kind.toLowerCase()} ${name}: ${o.firstMessage}`, 200);
    a.explanation = clip(
      `Warning event ${reason} (${o.cls.category}, ${o.cls.severity}) on ${r.kind} ${name}: ` +
        `${o.count} occurrence${o.count === 1 ? '' : 's'} from ${new Date(a.onsetMs).toISOString()} ` +
        `to ${new Date(a.lastSeenMs).toISOString()}. Latest message: ${o.lastMessage}`,
      4000,
    );
    a.signal = { kind: 'event', ids: [...o.ids] };
  }
}
