/**
 * The server serves the web UI on its API port: the app for `/` and every view's URL (so an
 * incident link can be shared and reloaded), hashed assets cached for good, a strict CSP, and the
 * API's JSON 404 for everything that is not a page. A checkout whose UI was never built says how
 * to build it.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger, loadConfig } from '@sleuth/core';
import { IngestQueue } from '@sleuth/pipeline/queue';
import { SqliteStore } from '@sleuth/store';
import { ServerMetrics, buildApp } from '@sleuth/server';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>';

async function appWith(uiDistDir: string): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const config = loadConfig({ env: {}, overrides: { 'simulator.mode': 'off', 'auth.enabled': false } });
  const logger = createLogger('silent');
  const store = new SqliteStore({ path: ':memory:', synchronous: 'normal', logger });
  await store.start();
  const queue = new IngestQueue({
    store,
    maxRecords: 1000,
    writeBatchMaxRecords: 100,
    retryAfterSeconds: 1,
    logger,
  });
  await queue.start();
  const app = await buildApp({
    config,
    store,
    queue,
    metrics: new ServerMetrics({ defaultMetrics: false }),
    logger,
    uiDistDir,
    authDataDir: ':memory:',
  });
  return {
    app,
    close: async () => {
      await app.close();
      await queue.stop();
      await store.stop();
    },
  };
}

describe('the web UI, built', () => {
  let dir: string;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sleuth-ui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ({ app, close } = await appWith(dir + '/'));
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers / with the app and a CSP that allows no inline or foreign script', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a view URL from a browser with the app, so shared links and reloads work', async () => {
    for (const url of [
      '/incidents/inc_123',
      '/incidents?status=open',
      '/logs?ids=a,b',
      '/series',
      '/chat/cnv_1',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves hashed assets with a year-long cache and other files with revalidation', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("app")');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('serves a rebuild made while it runs (new hashed assets, new index.html)', async () => {
    writeFileSync(join(dir, 'assets', 'index-def456.js'), 'console.log("rebuilt")');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-def456.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("rebuilt")');
  });

  it('keeps JSON 404s for API paths, unknown assets and non-browser requests', async () => {
    for (const [url, headers] of [
      ['/api/v1/nope', html],
      ['/assets/missing.js', html],
      ['/incidents/inc_123', { accept: 'application/json' }],
      ['/v1/nope', html],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
    const post = await app.inject({ method: 'POST', url: '/incidents/inc_1', headers: html, payload: {} });
    expect(post.statusCode).toBe(404);
  });

  it("still serves the server's own endpoints at the root", async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });
});

describe('the web UI, not built', () => {
  it('answers 503 naming the command that builds it, and the API still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sleuth-ui-none-'));
    const { app, close } = await appWith(dir + '/');
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/incidents/inc_1',
        headers: { accept: 'text/html' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'ui_not_built' } });
      expect(res.json<{ error: { message: string } }>().error.message).toContain('npm run build -w ui');
      const api = await app.inject({ method: 'GET', url: '/api/v1/incidents' });
      expect(api.statusCode).toBe(200);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
