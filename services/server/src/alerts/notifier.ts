import { createHash } from 'node:crypto';
import type { Incident, Logger, NotificationEvent } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { IncidentNotice } from '../incident-feed';
import { slackMessage, topCause, webhookMessage } from './notification-payloads';
import type { ChannelConfig, NotificationSender } from './notification-sender';

/** A channel as the notifier filters for it. */
export type NotifyChannel = ChannelConfig & {
  readonly events: readonly NotificationEvent[];
  readonly minSeverity: Incident['severity'];
  readonly alertsOnly: boolean;
};

const RANK: Record<Incident['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** An incident opened without a cause waits this long for one, so the first message carries it. */
export const OPEN_GRACE_MS = 15_000;
/** A changed diagnosis is sent at most this often per incident and channel. */
export const DIAGNOSIS_GAP_MS = 5 * 60_000;
const MAX_PAYLOAD = 256 * 1024;

export interface NotifierOptions {
  channels: readonly NotifyChannel[];
  store: Store;
  sender: NotificationSender;
  /** Where a person opens an incident. */
  incidentUrl: (id: string) => string;
  logger: Logger;
  now?: () => number;
  /** How long an incident opened without a cause waits for one (default OPEN_GRACE_MS). */
  graceMs?: number;
  /** Least time between two diagnosis messages of one incident on one channel (DIAGNOSIS_GAP_MS). */
  diagnosisGapMs?: number;
}

interface State {
  /** The incident was announced on this channel (its `opened` went out). */
  announced: boolean;
  /** The top cause last sent: failure mode and resource. */
  causeKey?: string;
  lastDiagnosisMs: number;
  timer?: NodeJS.Timeout;
}

const causeKeyOf = (i: Incident): string | undefined => {
  const c = topCause(i);
  return c
    ? `${c.failureMode} ${c.resource.cluster}/${c.resource.namespace ?? '-'}/${c.resource.kind}/${c.resource.name}`
    : undefined;
};

/**
 * Decides which incident changes each channel hears of: `opened` once an incident reaches the
 * channel's severity (with its diagnosis when it has one, after up to 15 s of waiting for it),
 * `diagnosed` when the top root cause changes (at most every 5 minutes), `resolved` for incidents
 * it announced. Each message is a delivery handed to the sender, whose id is derived from what it
 * says, so the same message is never recorded twice.
 */
export class Notifier {
  private readonly state = new Map<string, State>();
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  private readonly channels: readonly NotifyChannel[];
  private readonly store: Store;
  private readonly sender: NotificationSender;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly gapMs: number;

  constructor(private readonly opts: NotifierOptions) {
    this.channels = opts.channels;
    this.store = opts.store;
    this.sender = opts.sender;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.graceMs = opts.graceMs ?? OPEN_GRACE_MS;
    this.gapMs = opts.diagnosisGapMs ?? DIAGNOSIS_GAP_MS;
  }

  /** A change from the incident feed; handled in order, after the ones before it. */
  onNotice(n: IncidentNotice): void {
    if (this.channels.length === 0 || this.stopped) return;
    this.chain = this.chain
      .then(() => this.handle(n))
      .catch((err: unknown) =>
        this.logger.error({ err, incident: n.id }, 'notifying an incident change failed'),
      );
  }

  /** Waits for the changes heard so far to be handed to the sender. */
  async idle(): Promise<void> {
    await this.chain;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.state.values()) clearTimeout(s.timer);
  }

  private async handle(n: IncidentNotice): Promise<void> {
    const incident = await this.store.getIncident(n.id);
    if (!incident) return;
    for (const channel of this.channels) {
      const key = `${channel.name}\u0000${incident.id}`;
      const s = this.state.get(key) ?? (await this.load(channel, incident.id));
      this.state.set(key, s);
      if (this.state.size > 20_000) this.state.delete(this.state.keys().next().value ?? '');
      if (incident.status === 'resolved') {
        clearTimeout(s.timer);
        if (s.announced) await this.send(channel, incident, 'resolved', `${incident.resolvedMs ?? 0}`);
        s.announced = false;
        delete s.causeKey;
        continue;
      }
      if (!this.wanted(channel, incident)) continue;
      const cause = causeKeyOf(incident);
      if (!s.announced) {
        if (cause === undefined && n.change !== 'updated') {
          // Give the diagnosis a moment: one message with the cause beats two.
          clearTimeout(s.timer);
          s.timer = setTimeout(() => this.onNotice({ ...n, change: 'updated' }), this.graceMs);
          s.timer.unref();
          continue;
        }
        clearTimeout(s.timer);
        s.announced = true;
        if (cause !== undefined) {
          s.causeKey = cause;
          s.lastDiagnosisMs = this.now();
        }
        await this.send(channel, incident, 'opened', `${incident.startMs} ${cause ?? ''}`);
        continue;
      }
      if (cause === undefined || cause === s.causeKey) continue;
      const wait = s.lastDiagnosisMs + this.gapMs - this.now();
      if (wait > 0) {
        clearTimeout(s.timer);
        s.timer = setTimeout(() => this.onNotice({ ...n, change: 'updated' }), wait);
        s.timer.unref();
        continue;
      }
      s.causeKey = cause;
      s.lastDiagnosisMs = this.now();
      await this.send(channel, incident, 'diagnosed', cause);
    }
  }

  private wanted(channel: NotifyChannel, incident: Incident): boolean {
    if (RANK[incident.severity] < RANK[channel.minSeverity]) return false;
    return !channel.alertsOnly || incident.anomalyIds.some((id) => id.startsWith('alt_'));
  }

  /** What a channel already sent for an incident (after a restart the memory is empty). */
  private async load(channel: NotifyChannel, incidentId: string): Promise<State> {
    const sent = await this.store.listNotifications({ incidentId, channel: channel.name, limit: 50 });
    const last = sent[0];
    return {
      announced: last !== undefined && last.event !== 'resolved',
      lastDiagnosisMs: last?.createdMs ?? 0,
    };
  }

  private async send(
    channel: NotifyChannel,
    incident: Incident,
    event: NotificationEvent,
    what: string,
  ): Promise<void> {
    if (!channel.events.includes(event)) return;
    const id = `ntf_${createHash('sha256').update(`${channel.name}\u0000${incident.id}\u0000${event}\u0000${what}`).digest('hex').slice(0, 24)}`;
    const seen = await this.store.listNotifications({
      incidentId: incident.id,
      channel: channel.name,
      limit: 200,
    });
    if (seen.some((d) => d.id === id)) return;
    const alertIds = incident.anomalyIds.filter((a) => a.startsWith('alt_')).slice(-200);
    const alerts = alertIds.length > 0 ? await this.store.getAlerts(alertIds) : [];
    const render = (list: typeof alerts): string => {
      const content = { event, incident, alerts: list, url: this.opts.incidentUrl(incident.id) };
      return JSON.stringify(channel.type === 'slack' ? slackMessage(content) : webhookMessage(content));
    };
    // Alerts with huge labels could make the message too large to keep: it goes without them.
    let payload = render(alerts);
    if (payload.length > MAX_PAYLOAD) payload = render([]);
    const now = this.now();
    await this.sender.enqueue({
      id,
      channel: channel.name,
      incidentId: incident.id,
      event,
      status: 'pending',
      attempts: 0,
      createdMs: now,
      updatedMs: now,
      payload,
    });
  }
}
