import { NotFoundError, SleuthError, StoreError, ValidationError, type ErrorDetails } from '@sleuth/core';

/** The store calls that write, and so run on the writer thread. */
export type WriteOp =
  | 'writeBatch'
  | 'putAnomalies'
  | 'putIncident'
  | 'putConversation'
  | 'appendMessage'
  | 'putInvestigation'
  | 'putAlerts'
  | 'putNotification'
  | 'appendFixAction'
  | 'enforceRetention'
  | 'probeWrite';

/** What the writer thread is started with. */
export interface WriterInit {
  path: string;
  synchronous: 'normal' | 'full';
  walAutoCheckpointPages: number;
  busyTimeoutMs?: number;
}

/** Main thread to writer thread. */
export type WriterRequest = { id: number; op: WriteOp; arg: unknown } | { id: number; op: 'stop' };

/** An error as it crosses the thread boundary. */
export interface WireError {
  code: string;
  message: string;
  retryable: boolean;
  statusCode: number;
  details?: ErrorDetails;
}

/** Writer thread to main thread. `id` 0 is the start-up answer. */
export type WriterReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export function toWire(err: unknown): WireError {
  if (err instanceof SleuthError) {
    return {
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      statusCode: err.statusCode,
      ...(err.details === undefined ? {} : { details: err.details }),
    };
  }
  return {
    code: 'store_failed',
    message: err instanceof Error ? err.message : String(err),
    retryable: false,
    statusCode: 500,
  };
}

/**
 * Rebuilds the error class the caller can test for (`instanceof StoreError`, `ValidationError`,
 * `NotFoundError`).
 */
export function fromWire(e: WireError): SleuthError {
  if (e.code === 'store_failed')
    return new StoreError(e.message, { retryable: e.retryable, details: e.details });
  if (e.code === 'invalid_request') return new ValidationError(e.message, e.details);
  if (e.code === 'not_found') return new NotFoundError(e.message, e.details);
  return new SleuthError(e.code, e.message, {
    statusCode: e.statusCode,
    retryable: e.retryable,
    details: e.details,
  });
}
