import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** A GET route that declares no query parameters takes none. */
const NoQuery = z.object({}).strict();

/**
 * Every API route refuses what it does not understand: a query parameter or JSON body field its
 * schema does not name is a 400 naming it, not silently ignored (a misspelt filter would otherwise
 * widen the answer: `?namepsace=shop` read as no filter at all). Applied once here, to every route
 * under `prefix` as it is declared, so a new route cannot forget it. Schemas that are not plain
 * objects (a union, a nullable body) are left as they are; they must be strict themselves.
 */
export function registerStrictSchemas(app: FastifyInstance, prefix: string): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(prefix) || route.config?.anyQuery) return;
    const schema = { ...(route.schema ?? {}) };
    if (schema.querystring instanceof z.ZodObject) schema.querystring = schema.querystring.strict();
    else if (
      schema.querystring === undefined &&
      [route.method].flat().every((m) => m === 'GET' || m === 'HEAD')
    )
      schema.querystring = NoQuery;
    if (schema.body instanceof z.ZodObject) schema.body = schema.body.strict();
    route.schema = schema;
  });
}
