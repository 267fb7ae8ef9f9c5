import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { OverloadedError, SleuthError, isSleuthError } from '@sleuth/core';

/** Fastify's own error codes mapped to ours, so every error answer has one JSON shape. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'decode_failed',
  FST_ERR_VALIDATION: 'invalid_request',
};

function toSleuthError(err: FastifyError): SleuthError {
  if (isSleuthError(err)) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const problems = err.validation.map((v) => {
      const where = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      return `${err.validationContext ?? 'request'}${where ? `.${where}` : ''}: ${v.message ?? 'invalid'}`;
    });
    return new SleuthError('invalid_request', problems.join('; '), {
      statusCode: 400,
      details: { problems },
    });
  }
  const status = err.statusCode ?? 500;
  if (status < 500) {
    return new SleuthError(FASTIFY_CODES[err.code] ?? 'invalid_request', err.message, { statusCode: status });
  }
  return new SleuthError('internal', 'internal error; the server log has the details', { statusCode: 500 });
}

/** Answers a request no route matched, or returns false to let it be a 404. */
export type FallbackHandler = (req: FastifyRequest, reply: FastifyReply) => false | Promise<FastifyReply>;

/**
 * Renders every error as `{ error: { code, message, details } }`, with Retry-After where it applies.
 * `fallback` sees requests no route matched first (the web UI's views).
 */
export function registerErrorHandler(app: FastifyInstance, fallback?: FallbackHandler): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toSleuthError(err);
    if (e.statusCode >= 500) req.log.error({ err }, 'request failed');
    else req.log.debug({ code: e.code, msg: e.message }, 'request rejected');
    if (e instanceof OverloadedError) void reply.header('retry-after', String(e.retryAfterSeconds));
    else if (e.statusCode === 503) void reply.header('retry-after', '1');
    else if (e.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="sleuth"');
    return reply.status(e.statusCode).type('application/json').send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const answered = fallback?.(req, reply);
    if (answered) return answered;
    return reply.status(404).send(
      new SleuthError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`, {
        statusCode: 404,
      }).toJSON(),
    );
  });
}
