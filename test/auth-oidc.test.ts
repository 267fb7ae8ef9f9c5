/**
 * Single sign-on through an OpenID Connect provider: the authorization code flow with PKCE ends
 * in a session whose role and scope come from the user's groups; a user in no mapped group, a
 * callback this server did not start, and an ID token with the wrong nonce are all refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcServer, type OidcServer } from './support/oidc-server';
import { freePort } from './support/prom-servers';
import { startTestServer, type TestServer } from './support/server';

let idp: OidcServer;
let server: TestServer;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startOidcServer(`${base}/api/v1/auth/oidc/callback`);
  server = await startTestServer({
    'auth.enabled': true,
    'server.port': port,
    'server.publicUrl': base,
    'auth.oidc.issuer': idp.issuer,
    'auth.oidc.clientId': idp.clientId,
    'auth.oidc.clientSecret': idp.clientSecret,
    'auth.oidc.displayName': 'Example SSO',
    'auth.oidc.roles': [
      { group: 'sre', role: 'operator', scope: [{ cluster: 'prod-eu', namespace: 'shop' }] },
      { group: 'sre-leads', role: 'admin' },
    ],
  });
});
afterAll(async () => {
  await server.dispose();
  await idp.stop();
});

function cookieOf(res: Response, name: string): string | undefined {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return header?.split(';')[0];
}

/** Follows the browser's path: Sleuth → provider → Sleuth's callback. */
async function signInThroughProvider(tamper?: (callback: URL) => void): Promise<Response> {
  const start = await fetch(`${base}/api/v1/auth/oidc/start?next=/incidents`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const flow = cookieOf(start, 'sleuth_oidc');
  expect(flow).toBeDefined();
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(idp.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const atIdp = await fetch(authorize, { redirect: 'manual' });
  expect(atIdp.status).toBe(302);
  const callback = new URL(atIdp.headers.get('location')!);
  tamper?.(callback);
  return fetch(callback, { redirect: 'manual', headers: { cookie: flow! } });
}

describe('single sign-on', () => {
  it('says on the session endpoint that single sign-on is offered', async () => {
    const s = (await (await fetch(`${base}/api/v1/auth/session`)).json()) as Record<string, unknown>;
    expect(s['oidc']).toEqual({ enabled: true, name: 'Example SSO' });
  });

  it('signs a user in with the role and scope of their group', async () => {
    idp.user = { sub: 's1', email: 'sam@example.com', name: 'Sam', groups: ['sre', 'unrelated'] };
    const cb = await signInThroughProvider();
    expect(cb.status).toBe(302);
    expect(cb.headers.get('location')).toBe('/incidents');
    const session = cookieOf(cb, 'sleuth_session');
    expect(session).toMatch(/^sleuth_session=[A-Za-z0-9_-]{43}$/);
    const who = (await (
      await fetch(`${base}/api/v1/auth/session`, { headers: { cookie: session! } })
    ).json()) as {
      user: Record<string, unknown>;
    };
    expect(who.user).toMatchObject({
      name: 'sam@example.com',
      role: 'operator',
      scope: [{ cluster: 'prod-eu', namespace: 'shop' }],
    });
    // PKCE was used and the client authenticated with its secret.
    const last = idp.tokenRequests.at(-1)!;
    expect(last.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('takes the highest role and the union of scopes across groups, at every sign-in', async () => {
    idp.user = { sub: 's1', email: 'sam@example.com', groups: ['sre', 'sre-leads'] };
    const cb = await signInThroughProvider();
    const session = cookieOf(cb, 'sleuth_session')!;
    const who = (await (
      await fetch(`${base}/api/v1/auth/session`, { headers: { cookie: session } })
    ).json()) as {
      user: Record<string, unknown>;
    };
    expect(who.user).toMatchObject({ role: 'admin', scope: 'all' });
  });

  it('refuses a user in no mapped group', async () => {
    idp.user = { sub: 's2', email: 'eve@example.com', groups: ['marketing'] };
    const cb = await signInThroughProvider();
    expect(cb.status).toBe(403);
    expect(cookieOf(cb, 'sleuth_session')).toBeUndefined();
  });

  it('refuses a callback with a state this sign-in did not send', async () => {
    idp.user = { sub: 's1', email: 'sam@example.com', groups: ['sre'] };
    const cb = await signInThroughProvider((u) => u.searchParams.set('state', 'attacker-state'));
    expect(cb.status).toBe(401);
  });

  it('refuses an ID token whose nonce is not this sign-in’s', async () => {
    idp.user = { sub: 's1', email: 'sam@example.com', groups: ['sre'] };
    idp.forgeNonce = 'replayed-nonce';
    try {
      const cb = await signInThroughProvider();
      expect(cb.status).toBe(401);
      expect(cookieOf(cb, 'sleuth_session')).toBeUndefined();
    } finally {
      delete idp.forgeNonce;
    }
  });

  it('refuses a callback without the flow cookie (started elsewhere)', async () => {
    const cb = await fetch(`${base}/api/v1/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' });
    expect(cb.status).toBe(401);
  });
});
