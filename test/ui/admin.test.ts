/**
 * The Admin page in real Chromium with authentication on: an admin adds a user, is told why the
 * last admin cannot be demoted, creates an API token whose secret is shown once (and works), revokes
 * it (and it stops working), finds all of it in the audit log and verifies the log's hash chain; a
 * viewer sees no Admin link and is told the page is for admins only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http-client';
import { startTestServer, type TestServer } from '../support/server';
import {
  ensureUiBuilt,
  launchChromium,
  nav,
  openTab,
  screenshot,
  signInAs,
  type BrowserTab,
} from './harness';

const ADMIN_PASSWORD = 'the first admin passphrase';
const VIEWER_PASSWORD = 'a viewer passphrase 7';

let server: TestServer;
let browser: Browser;
let admin: BrowserTab;
let page: Page;
/** The token created in the browser, as the table and the secret box showed it. */
let tokenId: string;
let secret: string;

/** The clipboard as the page reads it (this project's tsconfig has no DOM library). */
interface ClipboardGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
}

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([
    startTestServer({ 'auth.enabled': true, 'auth.signInAttemptsPerMinute': 50 }),
    launchChromium(),
  ]);
  // The first admin, as test/ui/signin.test.ts does it in the browser.
  const code = readFileSync(join(server.dataDir, 'setup-code'), 'utf8').trim();
  const setup = await new Client(server.url).post('/api/v1/auth/setup', {
    code,
    username: 'alice',
    password: ADMIN_PASSWORD,
  });
  expect(setup.status).toBe(201);
  admin = await openTab(browser, { viewport: { width: 1280, height: 900 } });
  page = admin.page;
  await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

function userRow(p: Page, username: string) {
  return p.locator(`[data-testid="user-row"][data-username="${username}"]`);
}

/** The audit table's actions, top to bottom. */
function auditActions(p: Page): Promise<string[]> {
  return p
    .getByTestId('audit-row')
    .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { action: string } }).dataset.action));
}

describe('the Admin page', () => {
  it('adds a user, and says why the last admin cannot stop being one', async () => {
    await page.goto(`${server.url}/`);
    await signInAs(page, 'alice', ADMIN_PASSWORD, 'admin');
    await nav(page, 'Admin').click();
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    await expect.poll(() => userRow(page, 'alice').innerText()).toMatch(/alice\s*\(you\)[\s\S]*admin/);

    const form = page.getByRole('form', { name: 'Add a local user' });
    await form.getByLabel('User name').fill('victor');
    await form.getByLabel('Display name').fill('Victor Viewer');
    await form.getByLabel('Password').fill(VIEWER_PASSWORD);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('status').filter({ hasText: 'Added victor.' }).waitFor();
    await userRow(page, 'victor').waitFor();
    const victor = await userRow(page, 'victor').innerText();
    expect(victor).toContain('Victor Viewer');
    expect(victor).toMatch(/viewer\s+all clusters\s+password\s+enabled/);

    await page.getByRole('button', { name: 'Edit alice' }).click();
    const edit = page.getByRole('form', { name: 'Change alice' });
    await edit.getByLabel('Role').selectOption('viewer');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit
      .getByRole('alert')
      .filter({ hasText: 'this is the last enabled admin: make another admin first' })
      .waitFor();
    await screenshot(page, 'admin-users');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    expect(await userRow(page, 'alice').innerText()).toMatch(/alice\s*\(you\)\s+admin/);
  });

  it('creates a token whose secret is shown once, then revokes it', async () => {
    await page
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'API tokens' })
      .click();
    await page.getByText('No API token yet.').waitFor();
    const form = page.getByRole('form', { name: 'Create an API token' });
    await form.getByLabel('Name', { exact: true }).fill('ci fixes');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByLabel('Only these clusters and namespaces').check();
    await form.getByLabel('Clusters and namespaces, one a line').fill('prod-eu\nprod-us/shop');
    await form.getByLabel('Days until it expires').fill('30');
    await form.getByRole('button', { name: 'Create token' }).click();

    const box = page.getByTestId('token-secret');
    await box.getByText('This secret is shown once.').waitFor();
    secret = await box.getByRole('textbox', { name: 'Token secret' }).inputValue();
    expect(secret).toMatch(/^sleuth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    await box.getByRole('button', { name: 'Copy token secret' }).click();
    await box.getByText('Copied', { exact: true }).waitFor();
    const copied = await page.evaluate(() =>
      (globalThis as unknown as ClipboardGlobals).navigator.clipboard.readText(),
    );
    expect(copied).toBe(secret);
    const row = page.getByTestId('token-row').filter({ hasText: 'ci fixes' });
    await row.waitFor();
    tokenId = (await row.getAttribute('data-token-id')) ?? '';
    expect(secret.startsWith(`sleuth_${tokenId}_`)).toBe(true);
    expect(await row.innerText()).toMatch(/operator\s+prod-eu, prod-us\/shop[\s\S]*active/);
    await screenshot(page, 'admin-token-secret');
    // The secret works, within its scope and role.
    expect((await new Client(server.url, secret).get('/api/v1/incidents')).status).toBe(200);

    await box.getByRole('button', { name: 'I have copied it' }).click();
    await box.waitFor({ state: 'detached' });
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret.slice(20));

    await row.getByRole('button', { name: 'Revoke token ci fixes' }).click();
    await row.getByText('Whatever uses it gets 401 from now on').waitFor();
    await row.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Revoked ci fixes.' }).waitFor();
    await expect.poll(() => row.innerText()).toMatch(/revoked[\s\S]*by alice/);
    const refused = await new Client(server.url, secret).get('/api/v1/incidents');
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toContain('revoked');
  });

  it('shows those actions in the audit log, newest first, filters them and verifies the chain', async () => {
    await page
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await page.getByTestId('audit-row').first().waitFor();
    const actions = await auditActions(page);
    const at = (action: string) => actions.indexOf(action);
    expect(at('token.revoked')).toBeGreaterThanOrEqual(0);
    expect(at('token.revoked')).toBeLessThan(at('token.created'));
    expect(at('token.created')).toBeLessThan(at('user.updated'));
    expect(at('user.updated')).toBeLessThan(at('user.created'));
    expect(at('user.created')).toBeLessThan(at('auth.sign_in'));

    const revoked = page.locator('[data-testid="audit-row"][data-action="token.revoked"]');
    expect(await revoked.innerText()).toMatch(new RegExp(`alice\\s+token\\.revoked\\s+${tokenId}\\s+ok`));
    const created = page.locator('[data-testid="audit-row"][data-action="token.created"]');
    expect(await created.innerText()).toContain(
      'name: ci fixes · role: operator · scope: prod-eu, prod-us/shop',
    );
    const demotion = page.locator('[data-testid="audit-row"][data-action="user.updated"]');
    expect(await demotion.innerText()).toMatch(/failed[\s\S]*status: 409/);

    const filters = page.getByRole('search', { name: 'Filter the audit log' });
    await filters.getByLabel('Action').fill('token');
    await filters.getByLabel('Action').press('Enter');
    await page.waitForURL(/action=token/);
    await expect.poll(async () => (await auditActions(page)).every((a) => a.startsWith('token.'))).toBe(true);
    expect(await auditActions(page)).toEqual(expect.arrayContaining(['token.revoked', 'token.created']));
    await filters.getByLabel('Outcome').selectOption('failed');
    await page.getByText('No audit entry matches these filters.').waitFor();
    await filters.getByRole('link', { name: 'Clear filters' }).click();
    await expect.poll(() => auditActions(page)).toContain('user.created');

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Chain intact: all \d+ entries/ })
      .waitFor();
    await screenshot(page, 'admin-audit');
    // The demotion refused with 409 is the only error the browser reported.
    expect(admin.problems.filter((p) => !p.text.includes('409'))).toEqual([]);
  });

  it('shows a viewer no Admin link, and /admin says it is for admins only', async () => {
    const viewer = await openTab(browser);
    await viewer.page.goto(`${server.url}/`);
    await signInAs(viewer.page, 'victor', VIEWER_PASSWORD, 'viewer');
    await nav(viewer.page, 'Fleet').waitFor();
    expect(await nav(viewer.page, 'Admin').count()).toBe(0);

    await viewer.page.goto(`${server.url}/admin`);
    await viewer.page.getByRole('heading', { name: 'Admins only' }).waitFor();
    const text = await viewer.page.locator('main').innerText();
    expect(text).toContain('You are signed in as victor with role viewer');
    expect(await viewer.page.getByRole('table').count()).toBe(0);
    await screenshot(viewer.page, 'admin-viewer');
    // The viewer's page asked the server for nothing it refused.
    expect(viewer.problems).toEqual([]);
  });

  it('gives a user scoped to one namespace a fleet page that asks nothing refused, and no Settings link', async () => {
    const api = new Client(server.url);
    expect((await api.signIn('alice', ADMIN_PASSWORD)).status).toBe(200);
    const made = await api.post('/api/v1/users', {
      username: 'sam',
      password: 'a scoped passphrase 9',
      role: 'viewer',
      scope: [{ cluster: 'prod-eu', namespace: 'shop' }],
    });
    expect(made.status).toBe(201);
    const scoped = await openTab(browser);
    await scoped.page.goto(`${server.url}/`);
    await signInAs(scoped.page, 'sam', 'a scoped passphrase 9', 'viewer');
    await scoped.page.getByText('your access covers prod-eu/shop').waitFor();
    expect(await nav(scoped.page, 'Settings').count()).toBe(0);
    expect(await nav(scoped.page, 'Incidents').count()).toBe(1);
    await scoped.page.goto(`${server.url}/incidents`);
    await scoped.page.getByRole('heading', { name: 'Incidents' }).first().waitFor();
    await screenshot(scoped.page, 'fleet-scoped');
    // Every request the fleet and incident pages made was answered: none refused for the scope.
    expect(scoped.problems).toEqual([]);
  });
});
