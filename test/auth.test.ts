/**
 * Authentication and roles on a real server with auth on: first-run setup with the one-time code,
 * sign-in sessions with CSRF protection, API tokens (scoped, revocable, expiring), roles on every
 * route, the audit log, and rate limits on failed sign-ins.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './support/http-client';
import { startTestServer, type TestServer } from './support/server';

const ADMIN_PASSWORD = 'a long admin passphrase';
const OPERATOR_PASSWORD = 'operator passphrase 42';

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startTestServer({ 'auth.enabled': true, 'auth.signInAttemptsPerMinute': 5 });
  admin = new Client(server.url);
});
afterAll(() => server.dispose());

function codeFile(): string {
  return join(server.dataDir, 'setup-code');
}

describe('first-run setup', () => {
  it('asks for the one-time code from a file only the server user can read, then creates the first admin', async () => {
    const session = await admin.get('/api/v1/auth/session');
    expect(session.body).toMatchObject({ authEnabled: true, setupRequired: true });
    expect(session.body['user']).toBeUndefined();
    expect(statSync(codeFile()).mode & 0o777).toBe(0o600);
    const code = readFileSync(codeFile(), 'utf8').trim();

    const wrong = await admin.post('/api/v1/auth/setup', {
      code: 'guess',
      username: 'root',
      password: ADMIN_PASSWORD,
    });
    expect(wrong.status).toBe(401);
    const weak = await admin.post('/api/v1/auth/setup', { code, username: 'root', password: 'short' });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toContain('at least 12 characters');

    const ok = await admin.post('/api/v1/auth/setup', { code, username: 'root', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ setupRequired: false, user: { name: 'root', role: 'admin' } });
    expect(admin.cookie).toBeDefined();
    expect(existsSync(codeFile())).toBe(false);

    const again = await new Client(server.url).post('/api/v1/auth/setup', {
      code,
      username: 'mallory',
      password: ADMIN_PASSWORD,
    });
    expect(again.status).toBe(409);
  });
});

describe('sessions', () => {
  it('refuses the API without credentials but serves health and the UI shell', async () => {
    const anon = new Client(server.url);
    const r = await anon.get('/api/v1/incidents');
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await anon.get('/healthz')).status).toBe(200);
  });

  it('sets an HttpOnly, SameSite=Strict cookie at sign-in and refuses a wrong password', async () => {
    const c = new Client(server.url);
    const bad = await c.post('/api/v1/auth/sign-in', { username: 'root', password: 'not the password' });
    expect(bad.status).toBe(401);
    const res = await fetch(`${server.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ROOT', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sleuth_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
  });

  it('refuses a state-changing request from a session without its CSRF token', async () => {
    const noToken = await admin.post('/api/v1/conversations', { title: 'x' }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.body).toMatchObject({ error: { code: 'csrf_failed' } });
    const forged = await admin.call(
      'POST',
      '/api/v1/conversations',
      { title: 'x' },
      { headers: { 'x-csrf-token': 'forged' }, csrf: false },
    );
    expect(forged.status).toBe(403);
    const crossSite = await admin.call(
      'POST',
      '/api/v1/conversations',
      { title: 'x' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(crossSite.status).toBe(403);
    const withToken = await admin.post('/api/v1/conversations', { title: 'x' });
    expect(withToken.status).toBe(201);
  });

  it('ends the session at sign-out', async () => {
    const c = new Client(server.url);
    await c.signIn('root', ADMIN_PASSWORD);
    const cookie = c.cookie;
    expect((await c.post('/api/v1/auth/sign-out')).status).toBe(204);
    const reuse = await fetch(`${server.url}/api/v1/incidents`, { headers: { cookie: cookie ?? '' } });
    expect(reuse.status).toBe(401);
  });
});

describe('roles', () => {
  let operator: Client;
  let viewer: Client;

  beforeAll(async () => {
    const created = await admin.post('/api/v1/users', {
      username: 'olga',
      password: OPERATOR_PASSWORD,
      role: 'operator',
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    operator = new Client(server.url);
    await operator.signIn('olga', OPERATOR_PASSWORD);
    const t = await admin.post<{ secret: string }>('/api/v1/tokens', {
      name: 'dashboards',
      role: 'viewer',
      expiresInDays: 30,
    });
    expect(t.status).toBe(201);
    viewer = new Client(server.url, t.body.secret);
  });

  it('lets a viewer read but not propose a fix, open a pull request, investigate or chat', async () => {
    expect((await viewer.get('/api/v1/incidents')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/v1/incidents/inc_1/fix'],
      ['POST', '/api/v1/incidents/inc_1/fix/pull-request'],
      ['POST', '/api/v1/incidents/inc_1/investigation'],
      ['POST', '/api/v1/conversations'],
    ] as const) {
      const r = await viewer.call(method, path, method === 'POST' ? {} : undefined);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(JSON.stringify(r.body)).toContain('needs operator');
    }
  });

  it('lets an operator past the gate for fixes but not into admin routes', async () => {
    // Past the gate: no GitOps repository is configured here.
    expect((await operator.get('/api/v1/incidents/inc_1/fix')).status).toBe(409);
    expect((await operator.get('/api/v1/users')).status).toBe(403);
    expect((await operator.get('/api/v1/audit')).status).toBe(403);
    expect(
      (await operator.post('/api/v1/tokens', { name: 'x', role: 'admin', expiresInDays: 1 })).status,
    ).toBe(403);
  });

  it('refuses revoked and expired tokens with 401', async () => {
    const a = await admin.post<{ token: { id: string }; secret: string }>('/api/v1/tokens', {
      name: 'ci',
      role: 'operator',
      expiresInDays: 7,
    });
    const b = await admin.post<{ token: { id: string }; secret: string }>('/api/v1/tokens', {
      name: 'old',
      role: 'viewer',
      expiresInDays: 7,
    });
    const ci = new Client(server.url, a.body.secret);
    expect((await ci.get('/api/v1/incidents')).status).toBe(200);
    expect((await admin.call('DELETE', `/api/v1/tokens/${a.body.token.id}`)).status).toBe(200);
    const revoked = await ci.get('/api/v1/incidents');
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.body)).toContain('revoked');

    // Another process's clock moving on: the token's expiry passes.
    const db = new Database(join(server.dataDir, 'auth.sqlite'));
    db.prepare('UPDATE tokens SET expires_ms = ? WHERE id = ?').run(Date.now() - 1, b.body.token.id);
    db.close();
    const expired = await new Client(server.url, b.body.secret).get('/api/v1/incidents');
    expect(expired.status).toBe(401);
    expect(JSON.stringify(expired.body)).toContain('expired');

    const listed = await admin.get<{ tokens: Record<string, unknown>[] }>('/api/v1/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(a.body.secret.slice(-20));
    expect(listed.body.tokens.find((t) => t['id'] === a.body.token.id)).toHaveProperty('revokedMs');
  });

  it('keeps at least one admin', async () => {
    const users = await admin.get<{ users: { id: string; username: string }[] }>('/api/v1/users');
    const root = users.body.users.find((u) => u.username === 'root')!;
    const r = await admin.call('PATCH', `/api/v1/users/${root.id}`, { role: 'viewer' });
    expect(r.status).toBe(409);
  });
});

describe('audit log', () => {
  it('records sign-ins, refusals, tokens and users; admins read it; nobody can change it', async () => {
    const log = await admin.get<{
      entries: { action: string; outcome: string; target?: string; actor: { name?: string } }[];
    }>('/api/v1/audit?limit=1000');
    expect(log.status).toBe(200);
    const seen = new Set(log.body.entries.map((e) => `${e.action}:${e.outcome}`));
    for (const want of [
      'auth.setup:denied',
      'auth.setup:ok',
      'auth.sign_in:ok',
      'auth.sign_in:denied',
      'auth.sign_out:ok',
      'user.created:ok',
      'token.created:ok',
      'token.revoked:ok',
      'token.used:ok',
      'token.used:denied',
      'access.denied:denied',
      'chat.started:ok',
    ]) {
      expect(seen, want).toContain(want);
    }
    // A created user is named by id and user name, though its route has no :id.
    const created = log.body.entries.find((e) => e.action === 'user.created' && e.outcome === 'ok');
    expect(created?.target).toMatch(/^usr_\S+ \(olga\)$/);
    expect(JSON.stringify(log.body)).not.toContain(ADMIN_PASSWORD);
    expect((await admin.get('/api/v1/audit/verify')).body).toMatchObject({ intact: true });

    const db = new Database(join(server.dataDir, 'auth.sqlite'));
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit SET outcome = 'ok'").run()).toThrow(/append-only/);
    db.close();
  });
});

describe('failed sign-ins', () => {
  it('answers 429 with Retry-After once a user name has had too many', async () => {
    const c = new Client(server.url);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const r = await c.post('/api/v1/auth/sign-in', { username: 'olga', password: `wrong ${i}` });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    // Five failures a minute per user name and per address (earlier tests spent some of this address's).
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(firstLimited).toBeLessThanOrEqual(5);
    expect(statuses.slice(0, firstLimited).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password waits: the attacker cannot tell.
    expect(
      (await c.post('/api/v1/auth/sign-in', { username: 'olga', password: OPERATOR_PASSWORD })).status,
    ).toBe(429);
  });
});
