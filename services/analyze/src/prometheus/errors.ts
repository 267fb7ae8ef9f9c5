import { SleuthError } from '@sleuth/core';

/** Prometheus's own error types that a later retry of the same query may not hit. */
const TRANSIENT = new Set(['timeout', 'canceled', 'unavailable', 'internal']);

/**
 * Prometheus answered, but not with a result: it rejected the query (`errorType` is Prometheus's
 * own, e.g. `bad_data` for a PromQL syntax error, `execution` for a query that failed while it
 * ran, and the message is Prometheus's text), refused the credentials (`unauthorized`), or sent
 * something that is not its HTTP API (`bad_response`: a wrong URL, a proxy's error page, a body over
 * the size limit).
 */
export class PrometheusError extends SleuthError {
  constructor(
    message: string,
    /** Prometheus's `errorType`, or `unauthorized` / `bad_response` for answers that carry none. */
    readonly errorType: string,
    /** The HTTP status Prometheus answered with. */
    readonly httpStatus: number,
  ) {
    super('prometheus_error', message, {
      statusCode: errorType === 'bad_data' ? 400 : 502,
      retryable: TRANSIENT.has(errorType) || (httpStatus >= 500 && errorType !== 'execution'),
      details: { errorType, httpStatus },
    });
  }
}

/** No HTTP answer at all: connection refused, unknown host, TLS failure, connection reset. */
export class PrometheusUnreachableError extends SleuthError {
  constructor(message: string, cause: unknown) {
    super('prometheus_unreachable', message, { statusCode: 503, retryable: true, cause });
  }
}

/** No complete answer within `timeoutMs` (the request is aborted). */
export class PrometheusTimeoutError extends SleuthError {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super('prometheus_timeout', message, { statusCode: 504, retryable: true, details: { timeoutMs } });
  }
}

/** Every way a Prometheus call can fail; the client throws nothing else. */
export type PrometheusFailure = PrometheusError | PrometheusUnreachableError | PrometheusTimeoutError;

export function isPrometheusFailure(err: unknown): err is PrometheusFailure {
  return (
    err instanceof PrometheusError ||
    err instanceof PrometheusUnreachableError ||
    err instanceof PrometheusTimeoutError
  );
}
