import { getJson, sendJson, type RequestOptions } from './http';

export type Role = 'viewer' | 'operator' | 'admin';
export type Scope = 'all' | { cluster: string; namespace?: string }[];

/** GET /api/v1/auth/session: whether sign-in is needed, and who is signed in. */
export interface SessionInfo {
  authEnabled: boolean;
  setupRequired: boolean;
  oidc: { enabled: boolean; name?: string };
  user?: { id: string; name: string; kind: 'user' | 'token' | 'local'; role: Role; scope: Scope };
  csrfToken?: string;
}

export function getSession(opts: RequestOptions = {}): Promise<SessionInfo> {
  return getJson<SessionInfo>('/auth/session', {}, opts);
}

export function signIn(username: string, password: string): Promise<SessionInfo> {
  return sendJson<SessionInfo>('POST', '/auth/sign-in', { username, password });
}

export function setupAdmin(code: string, username: string, password: string): Promise<SessionInfo> {
  return sendJson<SessionInfo>('POST', '/auth/setup', { code, username, password });
}

export function signOut(): Promise<void> {
  return sendJson<void>('POST', '/auth/sign-out', {});
}
