import { OverloadedError, type Alert, type Anomaly, type Incident, type Logger } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';
import { alertAnomaly, alertId } from './alert-anomaly';
import type { IncomingAlert, IncomingDelivery, ReceiverConfig } from './payloads';
import type { AlertResourceResolver } from './resources';

/** Where correlated alerts go: the server's incident pipeline. */
export interface IncidentSink {
  anomalies(anomalies: readonly Anomaly[]): Promise<Incident[]>;
}

export interface AlertServiceOptions {
  store: Store;
  incidents: IncidentSink;
  resolver: Pick<AlertResourceResolver, 'resolve'>;
  /** The clusters Sleuth knows: an alert with no cluster label and no receiver cluster gets the only one. */
  knownClusters: () => string[];
  logger: Logger;
  metrics?: ServerMetrics;
  maxPendingAlerts: number;
  staleAfterMs: number;
  now?: () => number;
}

/** What a delivery became, as the webhook's answer says. */
export interface DeliveryResult {
  /** New alerts and changes of state (firing → resolved). */
  accepted: number;
  /** Alerts already known in the same state: deliveries repeat the group's alerts. */
  duplicates: number;
  rejected: { index: number; problem: string }[];
  alerts: { id: string; status: Alert['status']; change: 'new' | 'resolved' | 'duplicate' }[];
}

/** A firing alert delivered again is fed to the correlator at most this often (keeps it active). */
const REFRESH_MS = 5 * 60_000;

/**
 * Turns webhook deliveries into stored alerts and incidents. A delivery is answered once its
 * alerts are durable; correlation (labels → resources → the incident they join or open, then
 * the diagnosis) follows in the background, one delivery after another. The same alert instance
 * (receiver, fingerprint, startsAt) is one record however often it is delivered; its resolved
 * notification ends it, and the incident with it when nothing else keeps the incident open.
 *
 * Two queues keep a webhook's answer off the incident pipeline's pace: `recording` runs every
 * read-modify-write of alert records (a delivery's, an expiry's, correlation's incident link) one
 * at a time, so none is lost; `correlating` feeds the incident pipeline one batch at a time, which
 * under heavy ingest waits behind detection. A delivery waits only for earlier recordings.
 */
export class AlertService {
  private readonly now: () => number;
  private recording: Promise<unknown> = Promise.resolve();
  private correlating: Promise<unknown> = Promise.resolve();
  /** Correlations started and not finished (both steps), for idle(). */
  private readonly correlations = new Set<Promise<void>>();
  private pending = 0;
  private readonly fedMs = new Map<string, number>();

  constructor(private readonly opts: AlertServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Stores a delivery's alerts (answering 429 when too many wait for correlation) and queues the
   * new and changed ones for correlation. Resolves once the alerts are durable.
   */
  async accept(receiver: ReceiverConfig, delivery: IncomingDelivery): Promise<DeliveryResult> {
    const metrics = this.opts.metrics;
    if (this.pending + delivery.alerts.length > this.opts.maxPendingAlerts) {
      metrics?.alertsReceived.inc({ receiver: receiver.name, outcome: 'throttled' }, delivery.alerts.length);
      throw new OverloadedError(
        `${this.pending} alerts are waiting to be correlated; send this delivery again later`,
        5,
      );
    }
    this.pending += delivery.alerts.length;
    metrics?.alertsPending.set(this.pending);
    let toCorrelate: Alert[] = [];
    let result: DeliveryResult;
    try {
      // One delivery at a time from reading to writing: two copies of a delivery racing each other
      // must still make one alert.
      ({ result, toCorrelate } = await this.serially('recording', () => this.record(receiver, delivery)));
    } catch (err) {
      this.release(delivery.alerts.length);
      throw err;
    }
    this.release(delivery.alerts.length - toCorrelate.length);
    if (toCorrelate.length > 0) {
      void this.correlate(toCorrelate)
        .catch((err: unknown) => this.opts.logger.error({ err }, 'correlating alerts failed'))
        .finally(() => this.release(toCorrelate.length));
    }
    metrics?.alertsReceived.inc({ receiver: receiver.name, outcome: 'accepted' }, result.accepted);
    metrics?.alertsReceived.inc({ receiver: receiver.name, outcome: 'duplicate' }, result.duplicates);
    if (result.rejected.length > 0) {
      metrics?.alertsReceived.inc({ receiver: receiver.name, outcome: 'rejected' }, result.rejected.length);
    }
    return result;
  }

  /** Waits until every accepted delivery has been recorded and correlated (tests, shutdown). */
  async idle(): Promise<void> {
    while (true) {
      const [r, c, open] = [this.recording, this.correlating, [...this.correlations]];
      await Promise.allSettled([r, c, ...open]);
      if (r === this.recording && c === this.correlating && this.correlations.size === 0) return;
    }
  }

  /**
   * After a restart: the correlator takes back open incidents without knowing which of their
   * anomalies still fire. Alerts still firing, and those never correlated, are fed again.
   */
  async restore(): Promise<number> {
    const since = this.now() - this.opts.staleAfterMs;
    const again: Alert[] = [];
    let before: { updatedMs: number; id: string } | undefined;
    for (let page = 0; page < 100; page++) {
      const list = await this.opts.store.listAlerts({ limit: 1000, ...(before ? { before } : {}) });
      for (const a of list) if (a.status === 'firing' || a.incidentId === undefined) again.push(a);
      const last = list.at(-1);
      if (!last || list.length < 1000 || last.updatedMs < since) break;
      before = { updatedMs: last.updatedMs, id: last.id };
    }
    if (again.length > 0) await this.correlate(again.reverse());
    return again.length;
  }

  /** Ends firing alerts not delivered again for `staleAfterMs` (the sender went away). */
  async expireStale(): Promise<number> {
    const cutoff = this.now() - this.opts.staleAfterMs;
    const stale = (await this.opts.store.listAlerts({ status: 'firing', limit: 1000 })).filter(
      (a) => a.updatedMs < cutoff,
    );
    if (stale.length === 0) return 0;
    // Read again in the recording queue: a delivery may have renewed one since the listing.
    const ended = await this.serially('recording', async () => {
      const now = this.now();
      const current = await this.opts.store.getAlerts(stale.map((a) => a.id));
      const still = current
        .filter((a) => a.status === 'firing' && a.updatedMs < cutoff)
        .map((a): Alert => ({
          ...a,
          status: 'resolved',
          endsAt: a.updatedMs,
          expired: true,
          updatedMs: now,
        }));
      if (still.length > 0) await this.opts.store.putAlerts(still);
      return still;
    });
    if (ended.length > 0) await this.correlate(ended);
    return ended.length;
  }

  private release(n: number): void {
    this.pending = Math.max(0, this.pending - n);
    this.opts.metrics?.alertsPending.set(this.pending);
  }

  /** Runs `fn` after everything queued before it on that queue; the caller gets its outcome. */
  private serially<T>(queue: 'recording' | 'correlating', fn: () => Promise<T>): Promise<T> {
    const run = this[queue].then(fn, fn);
    this[queue] = run.catch(() => undefined);
    return run;
  }

  private clusterOf(receiver: ReceiverConfig, labels: Record<string, string>): string {
    const label = labels[receiver.clusterLabel];
    if (label) return label;
    if (receiver.cluster) return receiver.cluster;
    const known = this.opts.knownClusters();
    return known.length === 1 && known[0] ? known[0] : 'unknown';
  }

  private async record(
    receiver: ReceiverConfig,
    delivery: IncomingDelivery,
  ): Promise<{ result: DeliveryResult; toCorrelate: Alert[] }> {
    const now = this.now();
    const incoming = await this.withKnownStarts(receiver, delivery.alerts);
    const ids = incoming.map((a) => alertId(receiver.name, a.fingerprint, a.startsAt));
    const stored = new Map((await this.opts.store.getAlerts([...new Set(ids)])).map((a) => [a.id, a]));
    const result: DeliveryResult = { accepted: 0, duplicates: 0, rejected: delivery.rejected, alerts: [] };
    const changed = new Map<string, Alert>();
    const touched = new Map<string, Alert>();
    for (const [i, a] of incoming.entries()) {
      const id = ids[i] ?? '';
      const before = changed.get(id) ?? touched.get(id) ?? stored.get(id);
      if (before && (before.status === 'resolved' || a.status === 'firing')) {
        // The same state again, or a late "firing" after the resolution: nothing changes but
        // the delivery count (annotations such as the current value may be newer).
        touched.set(id, {
          ...before,
          annotations: a.status === before.status ? a.annotations : before.annotations,
          deliveries: before.deliveries + 1,
          updatedMs: now,
        });
        result.duplicates++;
        result.alerts.push({ id, status: before.status, change: 'duplicate' });
        continue;
      }
      const cluster = this.clusterOf(receiver, a.labels);
      const severity = a.labels.severity?.toLowerCase().slice(0, 100);
      const alert: Alert = {
        id,
        receiver: receiver.name,
        source: receiver.source,
        fingerprint: a.fingerprint,
        name: a.name,
        status: a.status,
        ...(severity ? { severity } : {}),
        startsAt: a.startsAt,
        ...(a.status === 'resolved' ? { endsAt: Math.max(a.startsAt, a.endsAt ?? now) } : {}),
        labels: a.labels,
        annotations: a.annotations,
        ...(a.generatorUrl ? { generatorUrl: a.generatorUrl } : {}),
        ...(delivery.groupKey ? { groupKey: delivery.groupKey } : {}),
        cluster: before?.cluster ?? cluster,
        resources: before?.resources ?? (await this.opts.resolver.resolve(cluster, a.labels)),
        ...(before?.incidentId ? { incidentId: before.incidentId } : {}),
        receivedMs: before?.receivedMs ?? now,
        updatedMs: now,
        deliveries: (before?.deliveries ?? 0) + 1,
      };
      touched.delete(id);
      changed.set(id, alert);
      result.accepted++;
      result.alerts.push({ id, status: alert.status, change: before ? 'resolved' : 'new' });
    }
    // A firing alert delivered again keeps its incident active, but not on every repeat.
    const refresh = [...touched.values()].filter(
      (a) => a.status === 'firing' && now - (this.fedMs.get(a.id) ?? 0) >= REFRESH_MS,
    );
    await this.opts.store.putAlerts([...changed.values(), ...touched.values()]);
    return { result, toCorrelate: [...changed.values(), ...refresh] };
  }

  /** Alerts without a start time belong to the instance of their fingerprint still firing. */
  private async withKnownStarts(receiver: ReceiverConfig, alerts: IncomingAlert[]): Promise<IncomingAlert[]> {
    const out: IncomingAlert[] = [];
    for (const a of alerts) {
      if (!a.startAssumed) {
        out.push(a);
        continue;
      }
      const [firing] = await this.opts.store.listAlerts({
        receiver: receiver.name,
        fingerprint: a.fingerprint,
        status: 'firing',
        limit: 1,
      });
      out.push(firing ? { ...a, startsAt: firing.startsAt } : a);
    }
    return out;
  }

  /**
   * Feeds alerts to the incident pipeline (in the correlating queue), then records the incident
   * each joined (in the recording queue, on the alert as it is then).
   */
  private correlate(alerts: readonly Alert[]): Promise<void> {
    const run = (async () => {
      const incidentOf = await this.serially('correlating', () => this.feed(alerts));
      if (incidentOf.size > 0) await this.serially('recording', () => this.link(alerts, incidentOf));
    })();
    this.correlations.add(run);
    const done = () => void this.correlations.delete(run);
    run.then(done, done);
    return run;
  }

  /** The incident each alert's anomaly joined or opened, by alert id. */
  private async feed(alerts: readonly Alert[]): Promise<Map<string, string>> {
    const now = this.now();
    for (const a of alerts) this.fedMs.set(a.id, now);
    if (this.fedMs.size > 100_000) this.fedMs.clear();
    const anomalies = alerts.map((a) => alertAnomaly(a));
    await this.opts.store.putAnomalies(anomalies);
    const incidents = await this.opts.incidents.anomalies(anomalies);
    const incidentOf = new Map<string, string>();
    for (const inc of incidents) for (const id of inc.anomalyIds) incidentOf.set(id, inc.id);
    return incidentOf;
  }

  private async link(alerts: readonly Alert[], incidentOf: ReadonlyMap<string, string>): Promise<void> {
    const current = new Map((await this.opts.store.getAlerts(alerts.map((a) => a.id))).map((a) => [a.id, a]));
    const linked: Alert[] = [];
    for (const a of alerts) {
      const incidentId = incidentOf.get(a.id);
      const latest = current.get(a.id);
      if (incidentId && latest && latest.incidentId !== incidentId) linked.push({ ...latest, incidentId });
    }
    if (linked.length > 0) await this.opts.store.putAlerts(linked);
  }
}
