/**
 * Coded errors. Every error that crosses a boundary (HTTP, CLI, store) is a SleuthError with a
 * stable `code`, the HTTP status it maps to, and whether retrying the same request can succeed.
 * HTTP answers render them as `{ error: { code, message, details } }`.
 */
export interface ErrorDetails {
  readonly [key: string]: unknown;
}

export class SleuthError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly retryable: boolean;
  readonly details: ErrorDetails | undefined;

  constructor(
    code: string,
    message: string,
    opts: { statusCode?: number; retryable?: boolean; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = opts.statusCode ?? 500;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }

  toJSON(): { error: { code: string; message: string; details?: ErrorDetails } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** Configuration is invalid; startup stops with this message. */
export class ConfigError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('config_invalid', message, { statusCode: 500, details });
  }
}

/** The request or a record in it does not match its schema. Not retryable as is. */
export class ValidationError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('invalid_request', message, { statusCode: 400, details });
  }
}

/** The payload could not be decoded (bad JSON, bad protobuf, bad gzip). */
export class DecodeError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('decode_failed', message, { statusCode: 400, details });
  }
}

/** The body, compressed or decompressed, is larger than the configured limit. */
export class PayloadTooLargeError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('payload_too_large', message, { statusCode: 413, details });
  }
}

/** The Content-Type or Content-Encoding is not one this endpoint speaks. */
export class UnsupportedMediaTypeError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('unsupported_media_type', message, { statusCode: 415, details });
  }
}

/** A bounded queue is full. Clients should retry after `retryAfterSeconds`. */
export class OverloadedError extends SleuthError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, details?: ErrorDetails, code = 'overloaded') {
    super(code, message, { statusCode: 429, retryable: true, details });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A client made more requests than its rate limit allows; it may retry after `retryAfterSeconds`. */
export class RateLimitedError extends OverloadedError {
  constructor(message: string, retryAfterSeconds: number, details?: ErrorDetails) {
    super(message, retryAfterSeconds, details, 'rate_limited');
  }
}

/** The caller is known but may not do this (its role or scope does not allow it). */
export class ForbiddenError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('forbidden', message, { statusCode: 403, details });
  }
}

/** The request conflicts with the current state (a name already taken, the last admin). */
export class ConflictError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('conflict', message, { statusCode: 409, details });
  }
}

export class NotFoundError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('not_found', message, { statusCode: 404, details });
  }
}

/** The request carries no credentials, or ones that are not valid. */
export class UnauthorizedError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('unauthorized', message, { statusCode: 401, details });
  }
}

/** The component is stopping or not started; the request was not processed. */
export class UnavailableError extends SleuthError {
  constructor(message: string, details?: ErrorDetails) {
    super('unavailable', message, { statusCode: 503, retryable: true, details });
  }
}

/** The store failed to read or write. `retryable` says whether the same call may succeed later. */
export class StoreError extends SleuthError {
  constructor(message: string, opts: { retryable: boolean; cause?: unknown; details?: ErrorDetails }) {
    super('store_failed', message, { statusCode: opts.retryable ? 503 : 500, ...opts });
  }
}

export function isSleuthError(err: unknown): err is SleuthError {
  return err instanceof SleuthError;
}
