import { ApiError, getSession, onUnauthorized, setCsrfToken, signOut, type SessionInfo } from './api';

/**
 * Who is using the UI. Until the server says, the app shows nothing; when sign-in is needed it
 * shows the sign-in (or first-run setup) page instead of the app; a 401 from any request (the
 * session ended) brings the sign-in page back.
 */
export class Session {
  info: SessionInfo | undefined = $state();
  error: string | undefined = $state();

  /** signed-in also covers authentication being off (everyone is the local admin). */
  state: 'loading' | 'setup' | 'signed-out' | 'signed-in' | 'error' = $derived(
    this.error !== undefined
      ? 'error'
      : this.info === undefined
        ? 'loading'
        : this.info.user
          ? 'signed-in'
          : this.info.setupRequired
            ? 'setup'
            : 'signed-out',
  );

  constructor() {
    onUnauthorized(() => {
      if (this.info?.user) void this.load();
    });
  }

  async load(): Promise<void> {
    try {
      this.accept(await getSession());
      this.error = undefined;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  /** Takes the server's answer to a session, sign-in or setup request. */
  accept(info: SessionInfo): void {
    setCsrfToken(info.csrfToken);
    this.info = info;
  }

  async signOut(): Promise<void> {
    await signOut();
    setCsrfToken(undefined);
    await this.load();
  }
}
