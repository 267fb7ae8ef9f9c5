import type { Logger } from '@sleuth/core';
import { backoffMs, sleep } from '../backoff';
import type { Spool } from './spool';

export interface ShipperOptions {
  /** The Sleuth server's base URL, e.g. https://sleuth.example.com. */
  server: string;
  token: string;
  /** Per request. */
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** Shipping as the agent reports it to the server and logs it. */
export interface ShipperStatus {
  /**
   * `ok`: the last request was delivered; `unreachable`: the server did not answer (the spool
   * holds on); `unauthorized`: the server refused the token; `throttled`: it asked to slow down.
   */
  state: 'starting' | 'ok' | 'unreachable' | 'unauthorized' | 'throttled';
  delivered: number;
  /** Requests the server had already stored (a resend after a lost answer). */
  replays: number;
  lastDeliveredMs?: number;
  error?: string;
}

/** A server error message from its JSON error body, or the status line. */
async function serverMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

/**
 * Ships the spool to the server, oldest request first, one at a time: POST /v1/<signal> (OTLP JSON,
 * gzip) with the agent's bearer token and `X-Sleuth-Batch-Id: <agent>:<seq>`. A request leaves the
 * spool only when the server answered 200. Unreachable server, 5xx: backoff with jitter and retry
 * the same request. 429/503: wait Retry-After. 401/403: the token is wrong or revoked; retry slowly
 * (nothing is dropped while an operator fixes it). 400/413/415: the server will never take this
 * request; it is set aside under rejected/ and the next one goes.
 */
export class Shipper {
  private stat: ShipperStatus = { state: 'starting', delivered: 0, replays: 0 };

  constructor(
    private readonly spool: Spool,
    private readonly opts: ShipperOptions,
    private readonly log: Logger,
  ) {}

  status(): ShipperStatus {
    return { ...this.stat };
  }

  async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      const next = await this.spool.peek(signal);
      if (!next) return;
      let waitMs: number;
      try {
        const body = await this.spool.read(next);
        const res = await fetch(`${this.opts.server.replace(/\/$/, '')}/v1/${next.signal}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            authorization: `Bearer ${this.opts.token}`,
            'x-sleuth-batch-id': `${this.spool.agentId}:${next.seq}`,
          },
          // A view of the same bytes typed as fetch's BodyInit under both Node's and the DOM's
          // typings (the web UI type-checks with the DOM's and reads these types).
          body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]),
        });
        if (res.status === 200) {
          const replay = res.headers.get('x-sleuth-replay') === 'true';
          const answer = (await res.json().catch(() => ({}))) as {
            partialSuccess?: {
              rejectedLogRecords?: unknown;
              rejectedDataPoints?: unknown;
              rejectedSpans?: unknown;
              errorMessage?: unknown;
            };
          };
          const ps = answer.partialSuccess;
          if (ps && typeof ps.errorMessage === 'string' && ps.errorMessage !== '') {
            // A message with nothing rejected is a warning (attributes past the server's limits were
            // cut); int64 counts come as strings in OTLP/JSON.
            const rejected = [ps.rejectedLogRecords, ps.rejectedDataPoints, ps.rejectedSpans].some(
              (n) => Number(n ?? 0) > 0,
            );
            this.log.warn(
              { seq: next.seq, error: ps.errorMessage },
              rejected
                ? 'the server rejected some records of a batch'
                : 'the server stored a batch with a warning',
            );
          }
          await this.spool.ack(next);
          if (replay) this.stat.replays++;
          else this.stat.delivered++;
          if (this.stat.state !== 'ok' && this.stat.state !== 'starting') {
            this.log.info(
              { waiting: this.spool.stats().requests },
              'the server is reachable again: shipping the spool',
            );
          }
          this.stat = { ...this.stat, state: 'ok', lastDeliveredMs: Date.now() };
          delete this.stat.error;
          attempt = 0;
          continue;
        }
        const message = await serverMessage(res);
        if (res.status === 429 || res.status === 503) {
          const retryAfter = Number(res.headers.get('retry-after'));
          waitMs = Math.min(60_000, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000);
          this.note('throttled', message);
        } else if (res.status === 401 || res.status === 403) {
          attempt++;
          waitMs = this.opts.backoffMaxMs;
          this.note('unauthorized', message);
        } else if (res.status >= 400 && res.status < 500) {
          this.log.error(
            { seq: next.seq, status: res.status, error: message },
            'the server refused a batch for good: set aside under the spool folder rejected/',
          );
          await this.spool.reject(next);
          continue;
        } else {
          attempt++;
          waitMs = backoffMs(attempt, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
          this.note('unreachable', message);
        }
      } catch (err) {
        if (signal.aborted) return;
        attempt++;
        waitMs = backoffMs(attempt, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
        const cause = (err as { cause?: { message?: unknown } }).cause;
        this.note(
          'unreachable',
          `${(err as Error).message}${typeof cause?.message === 'string' ? `: ${cause.message}` : ''}`,
        );
      }
      await sleep(waitMs, signal);
    }
  }

  private note(state: ShipperStatus['state'], error: string): void {
    if (this.stat.state !== state) {
      const level = state === 'throttled' ? 'info' : state === 'unauthorized' ? 'error' : 'warn';
      this.log[level]({ error, waiting: this.spool.stats().requests }, `shipping to the server: ${state}`);
    }
    this.stat = { ...this.stat, state, error };
  }
}
