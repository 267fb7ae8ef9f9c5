/**
 * The web UI end to end, in real headless Chromium (Debian's, driven by playwright-core): Sleuth
 * runs in-process with the simulated fleet, a fault is injected, and the test does what an SRE
 * does: sees the incident appear without reloading, opens it, follows its evidence to a chart and
 * to log lines, asks the chat about it with a scripted LLM, and opens the fix as a pull request on
 * a GitHub-API test server. A second Sleuth without an LLM (and without the simulator: its store
 * holds a crash-looping pod and its incident) checks the chat's rules-only answers. Every page is
 * screenshotted into test-results/ui/. docs/ui.md says how to run it.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, LogRecord } from '@sleuth/core';
import { getJson, type TestServer } from '../support/server';
import {
  LLM_SUMMARY,
  QUESTION,
  SEEDED_ID,
  injectFault,
  oomIncident,
  startE2eFleet,
  type E2eFleet,
} from './e2e-fleet';
import {
  drawnPixels,
  ensureUiBuilt,
  launchChromium,
  nav,
  openIncident,
  screenshot,
  SCREENSHOTS,
  UI_DIST_INDEX,
  setTheme,
  shownTheme,
  storedTheme,
  watchProblems,
  type BrowserProblem,
} from './harness';

/** ui/dist/index.html (naming the hashed assets) as the servers found it. */
let builtIndex: string;
let fleet: E2eFleet;
let github: E2eFleet['github'];
let llm: E2eFleet['llm'];
let sleuth: TestServer;
let rulesOnly: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: BrowserProblem[] = [];

beforeAll(async () => {
  await ensureUiBuilt();
  builtIndex = readFileSync(UI_DIST_INDEX, 'utf8');
  // This run's screenshots only.
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  [fleet, browser] = await Promise.all([startE2eFleet(), launchChromium()]);
  ({ github, llm, sleuth, rulesOnly } = fleet);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await watchProblems(context, problems);
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.dispose();
});

describe('the web UI in headless Chromium', { timeout: 60_000 }, () => {
  // A failed step leaves a screenshot of what the browser showed: test-results/ui/FAILED-<step>.png.
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      if (readFileSync(UI_DIST_INDEX, 'utf8') !== builtIndex)
        console.error(
          'ui/dist was rebuilt during the run: the pages ask for assets the servers do not serve',
        );
      await screenshot(page, `FAILED-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => '');
    });
  });
  let incident: Incident;
  const ui = (path: string): string => sleuth.url + path;
  const mark = (p: Page) => p.evaluate(() => (globalThis as unknown as { e2eMark?: number }).e2eMark);

  it('a. the fleet page lists the simulated clusters, in light and dark themes', async () => {
    await page.goto(ui('/'));
    await page.getByRole('heading', { level: 1, name: 'Fleet' }).waitFor();
    const clusters = page.getByRole('region', { name: 'Clusters' });
    await expect
      .poll(() => clusters.getByTestId('cluster-row').allInnerTexts(), { timeout: 30_000 })
      .toEqual(
        expect.arrayContaining([expect.stringContaining('prod-eu'), expect.stringContaining('prod-us')]),
      );
    await setTheme(page, 'light');
    await screenshot(page, 'fleet-light');
    await setTheme(page, 'dark');
    expect(await storedTheme(page)).toBe('dark');
    await screenshot(page, 'fleet-dark');
    // Remembered across a reload.
    await page.reload();
    await expect.poll(() => shownTheme(page), { timeout: 15_000 }).toBe('dark');
    await setTheme(page, 'light');
  });

  it('b. an injected fault shows up in the incident list without a reload', async () => {
    await nav(page, 'Incidents').click();
    await page.waitForURL(ui('/incidents'));
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^live$/ })
      .waitFor();
    // A mark on the window: a reload would wipe it.
    await page.evaluate(() => ((globalThis as unknown as { e2eMark?: number }).e2eMark = 1));
    await injectFault(sleuth);
    incident = await oomIncident(sleuth);
    const row = page.locator(`[data-testid="incident-row"][data-incident-id="${incident.id}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toContain('oom-killed');
    expect(await mark(page)).toBe(1);
    await screenshot(page, 'incidents');
  }, 90_000);

  it('c. the incident page shows the title, the root cause and a drawn timeline', async () => {
    await page.locator(`[data-testid="incident-row"][data-incident-id="${incident.id}"] a`).first().click();
    await page.waitForURL(ui(`/incidents/${incident.id}`));
    await expect
      .poll(() => page.getByTestId('incident-title').innerText(), { timeout: 15_000 })
      .toContain(incident.title);
    await expect
      .poll(() => page.getByTestId('root-cause').first().innerText(), { timeout: 15_000 })
      .toContain('oom-killed');
    await page.locator('.chart canvas').first().waitFor();
    await expect
      .poll(async () => (await drawnPixels(page, '.chart canvas')).drawn, { timeout: 15_000 })
      .toBeGreaterThan(100);
    await screenshot(page, 'incident-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'incident-dark');
    await setTheme(page, 'light');
  });

  it('h. a deep link to the incident loads and reloads, and g then i goes to the incident list', async () => {
    await page.goto(ui(`/incidents/${incident.id}`));
    await expect
      .poll(() => page.getByTestId('incident-title').innerText(), { timeout: 15_000 })
      .toContain(incident.title);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('incident-title').innerText(), { timeout: 15_000 })
      .toContain(incident.title);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForURL(ui('/incidents'));
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
  });

  it('d. evidence links open the series window and the cited log lines', async () => {
    // The OOM kill's memory series: the metrics page draws its window.
    await openIncident(page, sleuth, incident.id);
    await page.locator('[data-testid="evidence-link"][href^="/series?"]').first().click();
    await page.waitForURL((u) => u.pathname === '/series');
    await page.locator('.chart canvas').first().waitFor();
    await expect
      .poll(async () => (await drawnPixels(page, '.chart canvas')).drawn, { timeout: 15_000 })
      .toBeGreaterThan(100);
    await screenshot(page, 'series-evidence');

    // Log lines. The simulated OOM kill's causes cite object fields and series, not logs: then
    // the rules-only server's crash-looping pod, whose cause cites its last log lines, shows them.
    const detail = await getJson<Incident>(sleuth.url, `/api/v1/incidents/${incident.id}`);
    const citesLogs = detail.rootCauses.some((c) => c.evidence.some((e) => e.signal.kind === 'log'));
    const [server, id] = citesLogs ? [sleuth, incident.id] : [rulesOnly, SEEDED_ID];
    await openIncident(page, server, id);
    const link = page.locator('[data-testid="evidence-link"][href^="/logs?ids="]').first();
    const href = (await link.getAttribute('href')) ?? '';
    const ids = new URL(href, server.url).searchParams.get('ids') ?? '';
    expect(ids).not.toBe('');
    await link.click();
    await page.waitForURL((u) => u.pathname === '/logs' && u.searchParams.get('ids') === ids);
    const cited = page.locator('[data-testid="log-line"][data-cited="true"]');
    await expect.poll(() => cited.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const { records } = await getJson<{ records: LogRecord[] }>(
      server.url,
      `/api/v1/logs/by-id?ids=${encodeURIComponent(ids)}`,
    );
    expect(records.length).toBeGreaterThan(0);
    const shown = await cited.allInnerTexts();
    expect(shown).toHaveLength(records.length);
    for (const r of records) expect(shown.some((t) => t.includes(r.body.split('\n')[0] ?? ''))).toBe(true);
    await screenshot(page, 'logs-cited');
  });

  /** Asks the chat about the incident from its page; returns the links of the answer's citations. */
  async function askFromIncident(server: TestServer, id: string, shot: string): Promise<string[]> {
    await openIncident(page, server, id);
    const ask = page.getByRole('link', { name: 'Ask about this incident' });
    expect(await ask.getAttribute('href')).toBe(`/chat?incident=${encodeURIComponent(id)}`);
    await ask.click();
    // The chat starts a conversation pinned to the incident and shows it at its own URL.
    await page.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
    const conversation = decodeURIComponent(new URL(page.url()).pathname.slice('/chat/'.length));
    const pinned = await getJson<{ conversation: { pin: { incidentId?: string } } }>(
      server.url,
      `/api/v1/conversations/${encodeURIComponent(conversation)}`,
    );
    expect(pinned.conversation.pin.incidentId).toBe(id);
    const box = page.getByRole('textbox').first();
    await box.fill(QUESTION);
    await box.press('Enter');
    const answer = page.getByTestId('chat-answer').last();
    await answer.waitFor({ timeout: 30_000 });
    await expect.poll(() => answer.getByTestId('citation').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, shot);
    const hrefs: string[] = [];
    for (const c of await answer.getByTestId('citation').getByRole('link').all())
      hrefs.push((await c.getAttribute('href')) ?? '');
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => h.startsWith('/'))).toEqual(hrefs);
    return hrefs;
  }

  /** Clicks the answer's first citation and checks where it leads shows data. */
  async function openFirstCitation(href: string): Promise<void> {
    await page.getByTestId('chat-answer').last().getByTestId('citation').getByRole('link').first().click();
    const target = new URL(href, page.url());
    await page.waitForURL((u) => u.pathname === target.pathname && u.search === target.search);
    if (target.pathname === '/logs') {
      await expect.poll(() => page.getByTestId('log-line').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    } else if (target.pathname === '/series') {
      await page.locator('.chart canvas').first().waitFor();
      await expect
        .poll(async () => (await drawnPixels(page, '.chart canvas')).drawn, { timeout: 15_000 })
        .toBeGreaterThan(0);
    } else {
      await page.getByRole('heading', { level: 1 }).first().waitFor();
    }
    expect(await page.getByRole('alert').count()).toBe(0);
  }

  it('e. the chat answers with the scripted LLM, citing evidence that opens', async () => {
    const before = llm.requests.length;
    fleet.setSimulatedNow(
      (await getJson<{ stats: { simulatedNowMs: number } }>(sleuth.url, '/api/v1/simulator')).stats
        .simulatedNowMs,
    );
    const hrefs = await askFromIncident(sleuth, incident.id, 'chat-llm');
    await expect
      .poll(() => page.getByTestId('chat-answer').last().innerText(), { timeout: 15_000 })
      .toContain(LLM_SUMMARY);
    // The model was asked twice: once to call a tool, once to answer with the tool's evidence.
    const asked = llm.requests.slice(before).filter((r) => r.chat !== undefined);
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(asked.at(-1)?.chat?.messages)).toContain(QUESTION);
    await openFirstCitation(hrefs[0] as string);
    await screenshot(page, 'chat-llm-citation');
  }, 60_000);

  it('e. the chat answers without an LLM (rules), citing evidence that opens', async () => {
    const hrefs = await askFromIncident(rulesOnly, SEEDED_ID, 'chat-rules');
    await expect
      .poll(() => page.getByTestId('chat-answer').last().innerText(), { timeout: 15_000 })
      .toContain('rule engine');
    await openFirstCitation(hrefs[0] as string);
    await screenshot(page, 'chat-rules-citation');
  });

  it('f. the fix diff raises the memory limit and opens a pull request on the test forge', async () => {
    await openIncident(page, sleuth, incident.id);
    const diff = page.getByTestId('fix-diff');
    await expect
      .poll(() => diff.innerText(), { timeout: 20_000 })
      .toMatch(/memory: 1024Mi[^]*memory: 1536Mi/);
    expect(github.callsTo('POST', /^\/repos\/acme\/gitops\/pulls$/)).toHaveLength(0);
    await page.getByTestId('open-pr-button').click();
    const status = page.getByTestId('pr-status');
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toContain('#1');
    expect(github.callsTo('POST', /^\/repos\/acme\/gitops\/pulls$/)).toHaveLength(1);
    const pull = github.pulls.get(1);
    expect(pull?.head.ref).toMatch(new RegExp(`^sleuth/${incident.id}-`));
    expect(await status.getByRole('link').first().getAttribute('href')).toBe(pull?.html_url);
    await screenshot(page, 'incident-pr');
  }, 60_000);

  it('g. every page renders, and is saved as a screenshot', async () => {
    await page.goto(ui('/'));
    for (const [label, path, name] of [
      ['Logs', '/logs', 'logs'],
      ['Metrics', '/series', 'metrics'],
      ['Chat', '/chat', 'chat'],
      ['Alerts', '/alerts', 'alerts'],
      ['Settings', '/settings', 'settings'],
    ] as const) {
      await nav(page, label).click();
      await page.waitForURL(ui(path));
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(await page.getByRole('heading', { name: 'Not found' }).count()).toBe(0);
      await screenshot(page, name);
    }
  });

  it('h. the browser saw no console error, uncaught exception or CSP violation', () => {
    // The server serves the files ui/dist had when it started: a rebuild during the run (another
    // `npm run build -w ui` of changed sources) leaves the browser asking for assets not served.
    expect(readFileSync(UI_DIST_INDEX, 'utf8'), 'ui/dist was rebuilt while the test ran').toBe(builtIndex);
    // Chromium logs every 4xx answer as a console error. One is expected: the rules-only server
    // has no GitOps repository, so the seeded incident's fix answers 409 and the page says why.
    const expected = (p: BrowserProblem) =>
      p.kind === 'console' &&
      p.text.includes('status of 409') &&
      p.url === `${rulesOnly.url}/api/v1/incidents/${SEEDED_ID}/fix`;
    expect(problems.filter((p) => !expected(p))).toEqual([]);
  });
});
