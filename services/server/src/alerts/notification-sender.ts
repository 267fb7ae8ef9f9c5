import { readFileSync } from 'node:fs';
import { ConfigError, type Logger, type NotificationDelivery } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import type { ServerMetrics } from '../metrics';

/** One configured notification channel (`alerts.notifications[]`). */
export type ChannelConfig = {
  readonly name: string;
  readonly type: 'slack' | 'webhook';
  readonly url?: string | undefined;
  readonly urlFile?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxAttempts: number;
  readonly timeoutSeconds: number;
};

const MAX_BACKOFF_MS = 5 * 60_000;
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS) : undefined;
}

/** Exponential backoff from 1 s, doubling per attempt, at most 5 minutes, with ±20 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** 429, 408 and 5xx may succeed later; any other 4xx (Slack's invalid_payload, no_service) will not. */
const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Sends notifications and keeps their delivery state in the store: each attempt is recorded
 * (status code or error), failures that may pass are retried with backoff (Retry-After
 * honoured), and a delivery is `failed` once its channel's attempts are spent or the receiver
 * refuses it for good. Pending deliveries survive a restart (`resume`). Channel URLs are secrets
 * (a Slack webhook URL is its own credential): they are never logged.
 */
export class NotificationSender {
  private readonly urls = new Map<string, string>();
  private readonly channels = new Map<string, ChannelConfig>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    channels: readonly ChannelConfig[],
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly metrics?: ServerMetrics,
    private readonly now: () => number = Date.now,
  ) {
    channels.forEach((c, i) => {
      this.channels.set(c.name, c);
      this.urls.set(c.name, c.url ?? readUrl(c.urlFile ?? '', `alerts.notifications[${i}].urlFile`));
    });
  }

  /** Records a new delivery as pending and sends it now. */
  async enqueue(delivery: NotificationDelivery): Promise<void> {
    await this.store.putNotification(delivery);
    this.schedule(delivery, 0);
  }

  /** Takes up the deliveries still pending after a restart. */
  async resume(): Promise<number> {
    const pending = await this.store.listNotifications({ status: 'pending', limit: 1000 });
    for (const d of pending) this.schedule(d, Math.max(0, (d.nextAttemptMs ?? 0) - this.now()));
    return pending.length;
  }

  /** Resolves once nothing is being sent (a retry due later is not waited for). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(d: NotificationDelivery, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(d.id));
    this.timers.delete(d.id);
    const start = (): void => {
      const run = this.attempt(d).catch((err: unknown) => {
        this.logger.error({ err, channel: d.channel, delivery: d.id }, 'recording a notification failed');
      });
      this.inflight.add(run);
      void run.finally(() => this.inflight.delete(run));
    };
    // Due now: in flight at once, so `idle()` waits for it.
    if (delayMs <= 0) {
      start();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(d.id);
      start();
    }, delayMs);
    timer.unref();
    this.timers.set(d.id, timer);
  }

  private async attempt(d: NotificationDelivery): Promise<void> {
    const channel = this.channels.get(d.channel);
    const url = this.urls.get(d.channel);
    if (!channel || !url) {
      await this.store.putNotification({
        ...d,
        status: 'failed',
        lastError: `channel ${d.channel} is no longer configured`,
        updatedMs: this.now(),
      });
      return;
    }
    const attempts = d.attempts + 1;
    let status: number | undefined;
    let error: string | undefined;
    let wait: number | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sleuth', ...channel.headers },
        body: d.payload,
        signal: AbortSignal.timeout(channel.timeoutSeconds * 1000),
        redirect: 'error',
      });
      status = res.status;
      const text = await res.text().catch(() => '');
      if (!res.ok) error = `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
      wait = retryAfterMs(res.headers.get('retry-after'), this.now());
    } catch (err) {
      // The URL is the secret part: name the failure, never the address.
      const e = err as Error;
      error =
        e.name === 'TimeoutError'
          ? `no answer within ${channel.timeoutSeconds} s`
          : `not delivered: ${e.message}`;
    }
    const now = this.now();
    const base = {
      ...d,
      attempts,
      updatedMs: now,
      ...(status !== undefined ? { lastStatusCode: status } : {}),
    };
    delete base.nextAttemptMs;
    delete base.lastError;
    if (error === undefined) {
      await this.store.putNotification({ ...base, status: 'delivered', deliveredMs: now });
      this.metrics?.notifications.inc({ channel: d.channel, event: d.event, outcome: 'delivered' });
      return;
    }
    const again = (status === undefined || retryable(status)) && attempts < channel.maxAttempts;
    if (!again) {
      await this.store.putNotification({ ...base, status: 'failed', lastError: error.slice(0, 2000) });
      this.metrics?.notifications.inc({ channel: d.channel, event: d.event, outcome: 'failed' });
      this.logger.warn(
        { channel: d.channel, incident: d.incidentId, attempts, error },
        'notification failed',
      );
      return;
    }
    const delay = wait ?? backoffMs(attempts);
    const next: NotificationDelivery = {
      ...base,
      status: 'pending',
      lastError: error.slice(0, 2000),
      nextAttemptMs: now + delay,
    };
    await this.store.putNotification(next);
    this.metrics?.notifications.inc({ channel: d.channel, event: d.event, outcome: 'retried' });
    this.schedule(next, delay);
  }
}

function readUrl(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${key}: ${file} cannot be read: ${(err as Error).message}`, { key });
  }
  if (!/^https?:\/\/\S+$/.test(text))
    throw new ConfigError(`${key}: ${file} does not hold an http(s) URL`, { key });
  return text;
}
