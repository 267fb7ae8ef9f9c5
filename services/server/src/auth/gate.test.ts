import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@sleuth/core';
import { registerErrorHandler } from '../plugins/error-handler';
import { AuthService } from './auth-service';
import { registerGate } from './gate';

function gated(enabled: boolean) {
  const config = loadConfig({ env: {}, overrides: { 'auth.enabled': enabled } });
  const auth = new AuthService(config, createLogger('silent'), Date.now, ':memory:');
  const app = Fastify();
  registerErrorHandler(app);
  registerGate(app, auth);
  return { app, auth };
}

describe('the request gate', () => {
  it('refuses at startup a state-changing route that declares no access', () => {
    const { app, auth } = gated(true);
    expect(() => app.post('/api/v1/anything', () => ({}))).toThrow(
      /POST \/api\/v1\/anything declares no access/,
    );
    auth.close();
  });

  it('with authentication off, answers only loopback Host names and same-origin writes', async () => {
    const { app, auth } = gated(false);
    app.get('/api/v1/thing', () => ({ ok: true }));
    app.post('/api/v1/thing', { config: { access: 'operate' } }, () => ({ ok: true }));
    expect((await app.inject({ url: '/api/v1/thing', headers: { host: '127.0.0.1:7070' } })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ url: '/api/v1/thing', headers: { host: 'localhost:7070' } })).statusCode).toBe(
      200,
    );
    // A DNS-rebinding page reaches 127.0.0.1 under its own name.
    const rebound = await app.inject({ url: '/api/v1/thing', headers: { host: 'evil.example:7070' } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ error: { code: 'forbidden' } });
    const crossOrigin = await app.inject({
      method: 'POST',
      url: '/api/v1/thing',
      headers: { host: '127.0.0.1:7070', origin: 'https://evil.example' },
    });
    expect(crossOrigin.statusCode).toBe(403);
    await app.close();
    auth.close();
  });

  it('with authentication on, refuses a malformed Authorization header with 401', async () => {
    const { app, auth } = gated(true);
    app.get('/api/v1/thing', () => ({ ok: true }));
    const r = await app.inject({ url: '/api/v1/thing', headers: { authorization: 'Basic YTpi' } });
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="sleuth"');
    const guessed = await app.inject({
      url: '/api/v1/thing',
      headers: { authorization: `Bearer sleuth_0123456789ab_${'A'.repeat(43)}` },
    });
    expect(guessed.statusCode).toBe(401);
    await app.close();
    auth.close();
  });
});
