import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandler } from './error-handler';
import { registerStrictSchemas } from './strict-schemas';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerStrictSchemas(app, '/api/');
  await app.register(
    (api) => {
      const r = api.withTypeProvider<ZodTypeProvider>();
      r.get('/logs', { schema: { querystring: z.object({ namespace: z.string().optional() }) } }, (req) => ({
        namespace: req.query.namespace ?? null,
      }));
      r.get('/status', () => ({ ok: true }));
      r.post('/things', { schema: { body: z.object({ name: z.string() }) } }, (req) => req.body);
    },
    { prefix: '/api/v1' },
  );
  app.get('/metrics', () => 'ok');
  await app.ready();
});
afterAll(() => app.close());

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
};

describe('registerStrictSchemas', () => {
  it('answers a misspelt query parameter with a 400 naming it instead of ignoring the filter', async () => {
    expect(await get('/api/v1/logs?namespace=shop')).toEqual({ status: 200, body: { namespace: 'shop' } });
    const typo = await get('/api/v1/logs?namepsace=shop');
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).toContain('namepsace');
  });

  it('gives a GET route that declares no parameters none', async () => {
    expect((await get('/api/v1/status')).status).toBe(200);
    const r = await get('/api/v1/status?verbose=1');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('verbose');
  });

  it('refuses a body field the schema does not name', async () => {
    const ok = await app.inject({ method: 'POST', url: '/api/v1/things', payload: { name: 'a' } });
    expect(ok.statusCode).toBe(200);
    const extra = await app.inject({
      method: 'POST',
      url: '/api/v1/things',
      payload: { name: 'a', admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).toContain('admin');
  });

  it('leaves routes outside the prefix alone', async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics?name[]=up' });
    expect(r.statusCode).toBe(200);
  });
});
