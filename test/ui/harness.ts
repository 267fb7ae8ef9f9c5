/**
 * What the web UI's browser tests need around the browser: a build of the UI that is not older
 * than its sources, Debian's Chromium driven by playwright-core, pages that record every console
 * error, uncaught exception and Content-Security-Policy violation, signing in as a user does, and
 * screenshots under test-results/ui/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const UI_DIR = join(ROOT, 'ui');
export const UI_DIST_INDEX = join(UI_DIR, 'dist', 'index.html');
export const SCREENSHOTS = join(ROOT, 'test-results', 'ui');

/**
 * The few browser globals the functions run in the page use: this project's tsconfig has no DOM
 * library (it is Node code), and these types are erased before playwright sends the function.
 */
export interface PageGlobals {
  document: {
    documentElement: { dataset: Record<string, string | undefined> };
    querySelector(selector: string): unknown;
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (e: {
        violatedDirective: string;
        blockedURI: string;
        sourceFile: string;
        lineNumber: number;
      }) => void,
    ): void;
  };
  localStorage: { getItem(key: string): string | null };
}

interface PageCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** Debian's Chromium (scripts/install-test-servers.sh installs it); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** playwright adds --headless and a fresh --user-data-dir (a temporary profile it deletes) itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The newest modification time of the files under `dir` (recursively), in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Why ui/dist cannot be tested as it is (missing, or older than a source file), or undefined. */
export function staleUiReason(): string | undefined {
  if (!existsSync(UI_DIST_INDEX)) return 'ui/dist/index.html is missing';
  const built = statSync(UI_DIST_INDEX).mtimeMs;
  const sources = Math.max(
    newestMtime(join(UI_DIR, 'src')),
    newestMtime(join(UI_DIR, 'public')),
    ...['index.html', 'vite.config.ts', 'package.json'].map((f) => statSync(join(UI_DIR, f)).mtimeMs),
  );
  if (sources > built)
    return `ui/dist was built ${Math.round((sources - built) / 1000)} s before the newest file of ui/src`;
  return undefined;
}

/**
 * Builds the UI (`npm run build -w ui`) when ui/dist is missing or older than its sources, and
 * fails loudly when the build fails or still leaves it stale: the test must never pass on old code.
 */
export async function ensureUiBuilt(timeoutMs = 120_000): Promise<void> {
  const reason = staleUiReason();
  if (!reason) return;
  await new Promise<void>((done, fail) => {
    execFile(
      'npm',
      ['run', 'build', '-w', 'ui'],
      { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          fail(
            new Error(`${reason}, and \`npm run build -w ui\` failed: ${err.message}\n${stdout}\n${stderr}`),
          );
        else done();
      },
    );
  });
  const still = staleUiReason();
  if (still) throw new Error(`after \`npm run build -w ui\`: ${still}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** A problem the browser reported while the test ran. */
export interface BrowserProblem {
  kind: 'console' | 'pageerror' | 'csp';
  text: string;
  url: string;
}

/**
 * Records what a user would never want to see in the developer console: console errors,
 * uncaught exceptions and CSP violations (the `securitypolicyviolation` event, reported as a
 * console error by an init script that playwright injects outside the page's CSP).
 */
export async function watchProblems(context: BrowserContext, problems: BrowserProblem[]): Promise<void> {
  await context.addInitScript(() => {
    const g = globalThis as unknown as PageGlobals;
    g.document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  const watch = (page: Page): void => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const csp = text.startsWith('CSP violation') || text.includes('Content Security Policy');
      problems.push({ kind: csp ? 'csp' : 'console', text, url: msg.location().url || page.url() });
    });
    page.on('pageerror', (err) => {
      problems.push({ kind: 'pageerror', text: err.stack ?? err.message, url: page.url() });
    });
  };
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
}

/** A browser context of its own (its own cookies, so its own signed-in user) with one page. */
export interface BrowserTab {
  context: BrowserContext;
  page: Page;
  /** What the tab's pages reported (watchProblems). */
  problems: BrowserProblem[];
}

/**
 * Opens a fresh context and page on `browser`, recording console errors, uncaught exceptions and
 * CSP violations; `timeoutMs` is the page's default wait.
 */
export async function openTab(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; timeoutMs?: number } = {},
): Promise<BrowserTab> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1100, height: 800 } });
  const problems: BrowserProblem[] = [];
  await watchProblems(context, problems);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs ?? 10_000);
  return { context, page, problems };
}

/** Signs in on the sign-in page as a user does, then waits for the header to name the user and role. */
export async function signInAs(page: Page, username: string, password: string, role: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to Sleuth' }).waitFor();
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`${username} · ${role}`).waitFor();
}

/** Saves a full-page screenshot as test-results/ui/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** Sets the theme the way a user does: clicking the header's theme button until it says `want`. */
export async function setTheme(page: Page, want: 'light' | 'dark'): Promise<void> {
  const button = page.getByRole('button', { name: /^Theme: .*Change theme$/ });
  for (let i = 0; i < 3 && (await storedTheme(page)) !== want; i++) await button.click();
  await page.waitForFunction(
    (t) => (globalThis as unknown as PageGlobals).document.documentElement.dataset['theme'] === t,
    want,
  );
}

/** The theme the page shows (`<html data-theme>`). */
export function shownTheme(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => (globalThis as unknown as PageGlobals).document.documentElement.dataset['theme'],
  );
}

/** The theme the browser remembers (localStorage `sleuth.theme`). */
export function storedTheme(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('sleuth.theme'));
}

/**
 * How many pixels of the canvas are drawn (not fully transparent), read in the page. A chart
 * library that failed to draw leaves a blank canvas.
 */
export function drawnPixels(page: Page, selector: string): Promise<{ width: number; drawn: number }> {
  return page.evaluate((sel) => {
    const canvas = (globalThis as unknown as PageGlobals).document.querySelector(sel) as PageCanvas | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { width: 0, drawn: 0 };
    const ctx = canvas.getContext('2d');
    if (!ctx) return { width: canvas.width, drawn: 0 };
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) drawn++;
    return { width: canvas.width, drawn };
  }, selector);
}

/** The main navigation's link to a page (the Incidents link also carries the open count). */
export function nav(p: Page, label: string) {
  return p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) });
}

/**
 * Opens an incident as a user does: the app's front page, the Incidents link, the incident's row.
 * (Deep links are checked on their own in step h.)
 */
export async function openIncident(p: Page, server: { url: string }, id: string): Promise<void> {
  await p.goto(`${server.url}/`);
  await nav(p, 'Incidents').click();
  await p.waitForURL(`${server.url}/incidents`);
  await p.locator(`[data-testid="incident-row"][data-incident-id="${id}"] a`).first().click();
  await p.waitForURL(`${server.url}/incidents/${id}`);
  await p.getByTestId('incident-title').waitFor();
}
