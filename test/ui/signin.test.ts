/**
 * Sign-in in real Chromium with authentication on: the first-run setup page takes the one-time
 * code and creates the admin, the app appears signed in, state-changing requests from the page
 * carry the CSRF token, sign-out brings the sign-in page back, and a wrong password says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { ensureUiBuilt, launchChromium, openTab, screenshot, signInAs, type BrowserProblem } from './harness';

const PASSWORD = 'the first admin passphrase';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: BrowserProblem[];

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([
    startTestServer({ 'auth.enabled': true, 'auth.signInAttemptsPerMinute': 50 }),
    launchChromium(),
  ]);
  ({ context, page, problems } = await openTab(browser));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('sign-in in the browser', () => {
  it('creates the first admin on the setup page and shows the app signed in', async () => {
    await page.goto(`${server.url}/incidents`);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    const code = readFileSync(join(server.dataDir, 'setup-code'), 'utf8').trim();
    await page.getByLabel('Setup code').fill(code);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await screenshot(page, 'signin-setup');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.getByText('alice · admin').waitFor();
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sleuth_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  });

  it('sends the CSRF token with what the page changes', async () => {
    await page.goto(`${server.url}/chat`);
    await page.getByRole('heading', { name: 'Chat', level: 1 }).waitFor();
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/v1/conversations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return r.status;
    });
    // A script on the page without the token is refused, even with the session cookie.
    expect(status).toBe(403);
    problems.splice(0);
  });

  it('signs out, refuses a wrong password, and signs in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Sleuth' }).waitFor();
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('not the passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong' }).waitFor();
    await screenshot(page, 'signin-refused');
    await signInAs(page, 'alice', PASSWORD, 'admin');
    // The browser reports the refused sign-in's 401 as a console error; nothing else may appear.
    const unexpected = problems.filter((p) => !(p.kind === 'console' && p.text.includes('401')));
    expect(unexpected).toEqual([]);
  });
});
