/**
 * `npm run bench -- ui [--anomalies N] [--series S] [--points P] [--runs R]`: does an incident page
 * with 10,000 anomalies and 100,000 chart points stay interactive? Seeds a store with one incident
 * of N anomalies over S series of P points each (defaults 10,000 / 6 / 16,667: the page charts at
 * most 6 series, so the 100,000 points are all drawn), serves the built UI,
 * opens the incident in headless Chromium and measures, per run:
 *  - load: navigation until the root causes and a drawn chart are on screen;
 *  - main-thread blocking while loading (long tasks, total and longest);
 *  - interactions after load (theme switch, help dialog, drag-zoom on a chart): click to the next
 *    painted frame, p50 and max;
 *  - the JS heap afterwards.
 * Floors measured in the same run: the incident detail API answer alone, and bare uPlot drawing the
 * same points in a blank page (no app around it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  createLogger,
  emptyBatch,
  loadConfig,
  type Anomaly,
  type Incident,
  type MetricPoint,
} from '@sleuth/core';
import { startServer } from '@sleuth/server';
import { ensureUiBuilt, launchChromium } from '../test/ui/harness';
import { flags, percentile, recordInDocs, round } from './support';

const CLUSTER = 'bench';
const NAMESPACE = 'shop';
const METRIC = 'http_server_duration_seconds_p99';

interface Seeded {
  incidentId: string;
  points: number;
}

function seriesLabels(i: number): Record<string, string> {
  return { cluster: CLUSTER, namespace: NAMESPACE, pod: `api-7f9c-${i}`, workload: 'api' };
}

/** One incident with `anomalies` anomalies spread over `series` series of `points` points each. */
async function seed(
  store: Awaited<ReturnType<typeof startServer>>['store'],
  opts: { anomalies: number; series: number; points: number; nowMs: number },
): Promise<Seeded> {
  const stepMs = 1000;
  const startMs = opts.nowMs - opts.points * stepMs;
  for (let s = 0; s < opts.series; s++) {
    const labels = seriesLabels(s);
    const source = { cluster: CLUSTER, namespace: NAMESPACE, workload: 'api', pod: labels.pod! };
    let metrics: MetricPoint[] = [];
    for (let p = 0; p < opts.points; p++) {
      const t = startMs + p * stepMs;
      const value = 0.1 + 0.02 * Math.sin(p / 40 + s) + (p % 997 === 0 ? 0.5 : 0);
      metrics.push({ name: METRIC, labels, source, type: 'gauge', unit: 's', timeMs: t, value });
      if (metrics.length === 5000) {
        await store.writeBatch({ ...emptyBatch(), metrics });
        metrics = [];
      }
    }
    if (metrics.length) await store.writeBatch({ ...emptyBatch(), metrics });
  }
  const anomalies: Anomaly[] = [];
  const span = opts.points * stepMs;
  for (let a = 0; a < opts.anomalies; a++) {
    const s = a % opts.series;
    const onsetMs = startMs + Math.floor((a / opts.anomalies) * (span - 60_000));
    anomalies.push({
      id: `anm_bench_${a}`,
      detector: 'metrics',
      resource: { cluster: CLUSTER, namespace: NAMESPACE, kind: 'Pod', name: seriesLabels(s).pod! },
      signal: {
        kind: 'series',
        name: METRIC,
        labels: seriesLabels(s),
        fromMs: onsetMs,
        toMs: onsetMs + 30_000,
      },
      onsetMs,
      lastSeenMs: onsetMs + 30_000,
      endMs: onsetMs + 30_000,
      score: 0.5 + (a % 50) / 100,
      title: `${METRIC}: above its usual range`,
      explanation: 'p99 latency above the range learned over the previous hour',
    });
  }
  for (let i = 0; i < anomalies.length; i += 1000) await store.putAnomalies(anomalies.slice(i, i + 1000));
  const pods = Array.from({ length: opts.series }, (_, s) => seriesLabels(s).pod!);
  const incident: Incident = {
    id: 'inc_bench_ui',
    title: `Latency on shop/api across ${opts.series} pods`,
    status: 'open',
    severity: 'high',
    startMs,
    updatedMs: opts.nowMs,
    resources: pods.map((name) => ({ cluster: CLUSTER, namespace: NAMESPACE, kind: 'Pod', name })),
    anomalyIds: anomalies.map((a) => a.id),
    rootCauses: [1, 2, 3].map((rank) => ({
      id: `rc_bench_${rank}`,
      failureMode: rank === 1 ? 'cpu-throttling' : 'degradation-origin',
      resource: { cluster: CLUSTER, namespace: NAMESPACE, kind: 'Pod', name: pods[rank - 1]! },
      hypothesis: `Candidate ${rank}: latency rises on this pod first.`,
      confidence: 0.9 - rank * 0.1,
      rank,
      origin: 'rules' as const,
      evidence: anomalies
        .slice(rank * 10, rank * 10 + 5)
        .map((a) => ({ signal: a.signal, summary: a.title })),
    })),
  };
  await store.putIncident(incident);
  return { incidentId: incident.id, points: opts.series * opts.points };
}

/** Time from a user's action to the next painted frame, measured in the page. */
async function interaction(page: Page, act: string): Promise<number> {
  return page.evaluate(async (what) => {
    const g = globalThis as unknown as {
      document: { querySelector(s: string): { click(): void; dispatchEvent(e: unknown): boolean } | null };
      performance: { now(): number };
      requestAnimationFrame(cb: () => void): void;
      setTimeout(cb: () => void, ms: number): void;
      KeyboardEvent: new (type: string, init: object) => unknown;
    };
    const t0 = g.performance.now();
    if (what === 'theme') g.document.querySelector('header .tools button')?.click();
    else if (what === 'help') g.document.querySelector('button[aria-label="Keyboard shortcuts"]')?.click();
    await new Promise<void>((res) => g.requestAnimationFrame(() => g.setTimeout(res, 0)));
    return g.performance.now() - t0;
  }, act);
}

async function dragZoom(page: Page): Promise<number> {
  const over = page.locator('.chart .u-over').first();
  const box = await over.boundingBox();
  if (!box) return NaN;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 4 });
  const t0 = Date.now();
  await page.mouse.up();
  await page.evaluate(
    () =>
      new Promise<void>((res) =>
        (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame(() =>
          res(),
        ),
      ),
  );
  return Date.now() - t0;
}

async function loadIncident(
  browser: Browser,
  url: string,
  charts: number,
): Promise<{ loadMs: number; longTotalMs: number; longMaxMs: number; drawnPoints: number; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addInitScript(() => {
    const g = globalThis as unknown as {
      __long: number[];
      PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
        observe(o: object): void;
      };
    };
    g.__long = [];
    new g.PerformanceObserver((list) => {
      for (const e of list.getEntries()) g.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.locator('[data-testid="root-cause"]').first().waitFor({ timeout: 120_000 });
  // Every series chart drawn (the page charts at most 6 series, plus the log-rate chart).
  await page.waitForFunction(
    (want) =>
      (
        globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }
      ).document.querySelectorAll('.chart [data-points] canvas').length >= want,
    charts,
    { timeout: 120_000, polling: 20 },
  );
  const loadMs = Date.now() - t0;
  const long = await page.evaluate(() => (globalThis as unknown as { __long: number[] }).__long);
  const drawnPoints = await page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<{ dataset: { points?: string } }> };
    };
    return Array.from(g.document.querySelectorAll('.chart [data-points]')).reduce(
      (n, el) => n + Number(el.dataset.points ?? 0),
      0,
    );
  });
  return {
    loadMs,
    longTotalMs: long.reduce((a, b) => a + b, 0),
    longMaxMs: long.reduce((a, b) => Math.max(a, b), 0),
    drawnPoints,
    page,
  };
}

/** Bare uPlot drawing `series` × `points` points in a blank page: the charting floor. */
async function uplotFloor(browser: Browser, series: number, points: number): Promise<number> {
  const require = createRequire(import.meta.url);
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.setContent('<div id="c" style="width:1300px"></div>');
  await page.addStyleTag({ path: require.resolve('uplot/dist/uPlot.min.css') });
  await page.addScriptTag({ path: require.resolve('uplot/dist/uPlot.iife.min.js') });
  const ms = await page.evaluate(
    ([s, p]) => {
      const g = globalThis as unknown as {
        uPlot: new (o: object, d: unknown[], el: unknown) => unknown;
        document: { getElementById(id: string): unknown };
        performance: { now(): number };
      };
      const x = Array.from({ length: p }, (_, i) => i * 1000);
      const t0 = g.performance.now();
      for (let k = 0; k < s; k++) {
        const y = x.map((_, i) => 0.1 + 0.02 * Math.sin(i / 40 + k));
        new g.uPlot(
          { width: 1300, height: 180, ms: 1, series: [{}, { stroke: 'red' }] },
          [x, y],
          g.document.getElementById('c'),
        );
      }
      return g.performance.now() - t0;
    },
    [series, points] as const,
  );
  await page.close();
  return ms;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const anomalies = Number(f['anomalies'] ?? 10_000);
  const series = Number(f['series'] ?? 6);
  const points = Number(f['points'] ?? 16_667);
  const runs = Number(f['runs'] ?? 3);
  await ensureUiBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-ui-'));
  const config = loadConfig({
    env: {},
    overrides: {
      'server.port': 0,
      'store.dataDir': dir,
      'simulator.mode': 'off',
      'auth.enabled': false,
      'kubernetes.mode': 'off',
      'detect.enabled': false,
      'log.level': 'warn',
    },
  });
  const server = await startServer(config, createLogger('warn'));
  let browser: Browser | undefined;
  try {
    const seeded = await seed(server.store, { anomalies, series, points, nowMs: Date.now() });
    const apiMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/v1/incidents/${seeded.incidentId}`);
      await res.arrayBuffer();
      apiMs.push(performance.now() - t0);
    }
    browser = await launchChromium();
    const loads: number[] = [];
    const longTotals: number[] = [];
    const longMax: number[] = [];
    const clicks: number[] = [];
    const zooms: number[] = [];
    let drawn = 0;
    let heapMb = NaN;
    for (let r = 0; r < runs; r++) {
      const l = await loadIncident(
        browser,
        `${server.url}/incidents/${seeded.incidentId}`,
        Math.min(series, 6),
      );
      loads.push(l.loadMs);
      longTotals.push(l.longTotalMs);
      longMax.push(l.longMaxMs);
      drawn = l.drawnPoints;
      for (let i = 0; i < 4; i++) {
        clicks.push(await interaction(l.page, 'theme'));
        clicks.push(await interaction(l.page, 'help'));
      }
      zooms.push(await dragZoom(l.page));
      heapMb = await l.page.evaluate(
        () =>
          ((globalThis as unknown as { performance: { memory?: { usedJSHeapSize: number } } }).performance
            .memory?.usedJSHeapSize ?? NaN) /
          2 ** 20,
      );
      await l.page.context().close();
    }
    const floorMs = await uplotFloor(browser, series, points);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const figures = {
      anomalies,
      chart_points_seeded: seeded.points,
      chart_points_drawn: drawn,
      load_ms_p50: round(percentile(sorted(loads), 50)),
      load_ms_max: round(Math.max(...loads)),
      long_tasks_ms_p50: round(percentile(sorted(longTotals), 50)),
      longest_task_ms_max: round(Math.max(...longMax)),
      interaction_ms_p50: round(percentile(sorted(clicks), 50)),
      interaction_ms_max: round(Math.max(...clicks)),
      zoom_ms_p50: round(percentile(sorted(zooms), 50)),
      heap_mb: round(heapMb),
      floor_api_detail_ms_p50: round(percentile(sorted(apiMs), 50)),
      floor_uplot_draw_ms: round(floorMs),
    };
    const lines = Object.entries(figures).map(([k, v]) => `| ${k} | ${v} |`);
    const body = [
      `One incident with ${anomalies.toLocaleString('en')} anomalies over ${series} series of ${points.toLocaleString('en')} points (${seeded.points.toLocaleString('en')} points), opened ${runs} times in headless Chromium (1440×1000).`,
      '',
      '| Figure | Value |',
      '| --- | --- |',
      ...lines,
      '',
      'load: navigation until a root cause and every series chart are drawn. long tasks: main-thread blocks over 50 ms while loading. interaction: click (theme switch, help dialog) to the next frame. zoom: drag-select on a chart to the next frame. Floors: the detail API answer alone, and bare uPlot drawing the same points with no app around it.',
    ].join('\n');
    console.log(body);
    recordInDocs(
      'ui',
      `npm run bench -- ui --anomalies ${anomalies} --series ${series} --points ${points} --runs ${runs}`,
      body,
    );
    return figures;
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
