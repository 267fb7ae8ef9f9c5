import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The person the test provider signs in at its authorize endpoint (there is no login form). */
export interface IdpUser {
  sub: string;
  email: string;
  name?: string;
  groups: string[];
}

export interface OidcServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in next. */
  user: IdpUser;
  /** Makes the next ID token carry this nonce instead of the one asked for (a replayed token). */
  forgeNonce?: string;
  /** Token requests received, for assertions on PKCE and client authentication. */
  tokenRequests: URLSearchParams[];
  stop(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  user: IdpUser;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * An OpenID Connect provider speaking the real protocol (discovery, authorization code with PKCE
 * S256, client_secret_basic/post, RS256 ID tokens, JWKS), for the single sign-on tests: no IdP
 * (Keycloak, Dex) runs on this machine.
 */
export async function startOidcServer(redirectUri: string): Promise<OidcServer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const state: Omit<OidcServer, 'stop' | 'issuer'> & { issuer: string } = {
    issuer: '',
    clientId: 'sleuth',
    clientSecret: randomBytes(16).toString('hex'),
    user: { sub: 'u1', email: 'sam@example.com', groups: [] },
    tokenRequests: [],
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
    };
    void (async () => {
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(200, {
          issuer: state.issuer,
          authorization_endpoint: `${state.issuer}/authorize`,
          token_endpoint: `${state.issuer}/token`,
          jwks_uri: `${state.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          scopes_supported: ['openid', 'email', 'profile', 'groups'],
        });
      }
      if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        const q = url.searchParams;
        if (q.get('client_id') !== state.clientId || q.get('redirect_uri') !== redirectUri) {
          return json(400, { error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
        }
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256') {
          return json(400, { error: 'invalid_request', error_description: 'code flow with PKCE S256 only' });
        }
        const code = randomBytes(16).toString('hex');
        grants.set(code, {
          clientId: state.clientId,
          redirectUri,
          challenge: q.get('code_challenge') ?? '',
          nonce: q.get('nonce') ?? undefined,
          user: state.user,
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = new URLSearchParams(await body(req));
        state.tokenRequests.push(form);
        let id = form.get('client_id');
        let secret = form.get('client_secret');
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        if (basic) {
          const [u, p] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
          id = decodeURIComponent(u ?? '');
          secret = decodeURIComponent(p ?? '');
        }
        if (id !== state.clientId || secret !== state.clientSecret)
          return json(401, { error: 'invalid_client' });
        const code = form.get('code') ?? '';
        const grant = grants.get(code);
        grants.delete(code);
        if (!grant || form.get('redirect_uri') !== grant.redirectUri)
          return json(400, { error: 'invalid_grant' });
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        }
        const nonce = state.forgeNonce ?? grant.nonce;
        const idToken = await new SignJWT({
          email: grant.user.email,
          groups: grant.user.groups,
          ...(grant.user.name ? { name: grant.user.name } : {}),
          ...(nonce ? { nonce } : {}),
        })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setIssuer(state.issuer)
          .setAudience(grant.clientId)
          .setSubject(grant.user.sub)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
        return json(200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          expires_in: 300,
          id_token: idToken,
        });
      }
      json(404, { error: 'not_found' });
    })().catch((err: unknown) => json(500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
