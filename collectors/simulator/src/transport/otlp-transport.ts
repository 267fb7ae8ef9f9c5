import { SleuthError } from '@sleuth/core';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  OtlpSignal,
} from '../otlp/types';

/** Any of the three OTLP export request bodies. */
export type OtlpExportRequest =
  ExportLogsServiceRequest | ExportMetricsServiceRequest | ExportTraceServiceRequest;

/** Options for one send. */
export interface SendOptions {
  /** Aborts waiting (retries, backoff, the request itself) when the simulator stops. */
  signal?: AbortSignal;
}

/**
 * Where the simulator's OTLP export requests go. The only way simulated data leaves the
 * simulator: an implementation delivers `request` exactly as an OpenTelemetry Collector's
 * otlphttp exporter would (`POST {url}/v1/{signal}`). `send` resolves when the request was
 * accepted and rejects with an {@link OtlpExportError} when it was not (after any retries).
 */
export interface OtlpTransport {
  send(signal: OtlpSignal, request: OtlpExportRequest, options?: SendOptions): Promise<void>;
}

/**
 * An export that failed for good. `kind` groups failures for counting and logging, e.g.
 * `http_400`, `http_413`, `retries_exhausted`, `network`, `timeout`, `aborted`, `encode`.
 */
export class OtlpExportError extends SleuthError {
  readonly kind: string;

  constructor(kind: string, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super('otlp_export_failed', message, {
      statusCode: 502,
      retryable: kind === 'retries_exhausted' || kind === 'network' || kind === 'timeout',
      details: { kind, ...(opts.status === undefined ? {} : { status: opts.status }) },
      cause: opts.cause,
    });
    this.kind = kind;
  }
}
