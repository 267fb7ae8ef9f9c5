import { gzipSync } from 'node:zlib';
import { ConfigError, delay, type Logger } from '@sleuth/core';
import { z } from 'zod';
import type { OtlpSignal } from '../otlp/types';
import {
  OtlpExportError,
  type OtlpExportRequest,
  type OtlpTransport,
  type SendOptions,
} from './otlp-transport';

/** Encodes a request as OTLP protobuf (ExportLogsServiceRequest etc.); supplied by the caller. */
export type OtlpEncoder = (signal: OtlpSignal, request: OtlpExportRequest) => Uint8Array;

const HttpTransportConfig = z
  .object({
    url: z.url().describe('Base URL of the OTLP/HTTP receiver; requests go to {url}/v1/{signal}.'),
    headers: z.record(z.string(), z.string()).default({}),
    gzip: z.boolean().default(false),
    timeoutMs: z.number().int().positive().default(10_000),
    maxRetries: z.number().int().min(0).max(20).default(5),
    initialBackoffMs: z.number().int().positive().default(500),
    maxBackoffMs: z.number().int().positive().default(30_000),
  })
  .strict();

/**
 * Options of {@link HttpOtlpTransport}: settings (every one but `url` has a default) and the
 * collaborators callers and tests may supply.
 */
export type HttpOtlpTransportOptions = z.input<typeof HttpTransportConfig> & {
  /** When set, bodies are protobuf (`application/x-protobuf`); otherwise OTLP/JSON. */
  encode?: OtlpEncoder;
  /** Retries are logged at debug level. */
  logger?: Logger;
  fetch?: typeof fetch;
  /** Waits `ms`, rejecting early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** Statuses the OTLP/HTTP specification says to retry. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Sends OTLP export requests over HTTP like the Collector's otlphttp exporter: one POST per
 * request to `{url}/v1/logs|metrics|traces`. Retryable answers (429, 502, 503, 504) and network
 * errors are retried up to `maxRetries` times, waiting for `Retry-After` when the server gives one
 * and exponential backoff otherwise; anything else rejects at once with an {@link OtlpExportError}.
 */
export class HttpOtlpTransport implements OtlpTransport {
  private readonly config: z.output<typeof HttpTransportConfig>;
  private readonly encode: OtlpEncoder | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly logger: Logger | undefined;

  constructor(options: HttpOtlpTransportOptions) {
    const { encode, logger, fetch: fetchImpl, sleep, ...config } = options;
    const parsed = HttpTransportConfig.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.join('.') ?? '';
      throw new ConfigError(`simulator transport: ${key || 'config'}: ${issue?.message ?? 'invalid'}`, {
        key,
      });
    }
    this.config = parsed.data;
    this.encode = encode;
    this.logger = logger;
    this.fetchImpl = fetchImpl ?? fetch;
    this.sleep = sleep ?? delay;
  }

  async send(signal: OtlpSignal, request: OtlpExportRequest, options: SendOptions = {}): Promise<void> {
    const { body, contentType } = this.serialise(signal, request);
    const url = `${this.config.url.replace(/\/+$/, '')}/v1/${signal}`;
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': contentType };
    if (this.config.gzip) headers['content-encoding'] = 'gzip';
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.config.maxRetries; attempt++) {
      if (options.signal?.aborted) throw new OtlpExportError('aborted', `export of ${signal} aborted`);
      const outcome = await this.attempt(url, headers, body, options.signal);
      if (outcome.ok) return;
      if (!outcome.retryable) throw outcome.error;
      lastProblem = outcome.error.message;
      if (attempt === this.config.maxRetries) break;
      const backoff = Math.min(this.config.maxBackoffMs, this.config.initialBackoffMs * 2 ** attempt);
      const wait =
        outcome.retryAfterMs === undefined
          ? backoff
          : Math.min(outcome.retryAfterMs, this.config.maxBackoffMs);
      try {
        await this.sleep(wait, options.signal);
      } catch (err) {
        throw new OtlpExportError('aborted', `export of ${signal} aborted while backing off`, { cause: err });
      }
    }
    throw new OtlpExportError(
      'retries_exhausted',
      `export of ${signal} to ${url} still failing after ${this.config.maxRetries + 1} attempts: ${lastProblem}`,
    );
  }

  private serialise(
    signal: OtlpSignal,
    request: OtlpExportRequest,
  ): { body: Uint8Array; contentType: string } {
    let raw: Uint8Array;
    let contentType = 'application/json';
    try {
      if (this.encode) {
        raw = this.encode(signal, request);
        contentType = 'application/x-protobuf';
      } else {
        raw = Buffer.from(JSON.stringify(request), 'utf8');
      }
    } catch (err) {
      throw new OtlpExportError('encode', `could not encode the ${signal} request: ${String(err)}`, {
        cause: err,
      });
    }
    return { body: this.config.gzip ? gzipSync(raw) : raw, contentType };
  }

  private async attempt(
    url: string,
    headers: Record<string, string>,
    body: Uint8Array,
    abort: AbortSignal | undefined,
  ): Promise<
    { ok: true } | { ok: false; retryable: boolean; retryAfterMs?: number; error: OtlpExportError }
  > {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = abort ? AbortSignal.any([abort, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: 'POST', headers, body, signal });
    } catch (err) {
      if (abort?.aborted)
        return { ok: false, retryable: false, error: new OtlpExportError('aborted', 'export aborted') };
      const kind = timeout.aborted ? 'timeout' : 'network';
      return { ok: false, retryable: true, error: new OtlpExportError(kind, `POST ${url}: ${String(err)}`) };
    }
    // Drain the body so the connection can be reused; its content only matters for messages.
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true };
    const message = `POST ${url} answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
    const error = new OtlpExportError(`http_${res.status}`, message, { status: res.status });
    if (!RETRYABLE.has(res.status)) return { ok: false, retryable: false, error };
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return retryAfterMs === undefined
      ? { ok: false, retryable: true, error }
      : { ok: false, retryable: true, retryAfterMs, error };
  }
}

/** Parses `Retry-After` (delay in seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
