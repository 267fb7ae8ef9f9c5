/**
 * Real Prometheus and Alertmanager for tests (Debian's packages, installed by
 * scripts/install-test-servers.sh): each runs on 127.0.0.1 with a free port and a fresh data
 * folder, is ready when its /-/ready answers, and is stopped by PID (its folder removed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';

export interface RealServer {
  url: string;
  port: number;
  /** What the process wrote, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  out: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`exited with ${child.exitCode} before it was ready:\n${out()}`);
    const ok = await fetch(`${url}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready at ${url} after ${timeoutMs} ms:\n${out()}`);
}

async function run(
  binary: string,
  args: (port: number, dir: string) => string[],
  files: Record<string, unknown>,
): Promise<RealServer> {
  const dir = mkdtempSync(join(tmpdir(), `sleuth-${binary}-`));
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : toYaml(content));
  const port = await freePort();
  const child = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => log);
  } catch (err) {
    await stop();
    throw new Error(`${binary}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { url, port, output: () => log, stop };
}

export interface PrometheusOptions {
  /** `host:port` targets scraped as job `job` every `intervalSeconds`. */
  targets: string[];
  job?: string;
  /** Alerting rules (Prometheus rule-file groups' `rules`). */
  rules?: Record<string, unknown>[];
  alertmanagerUrl?: string;
  /** remote_write destination and its bearer token. */
  remoteWrite?: { url: string; bearerToken?: string };
  intervalSeconds?: number;
}

/** A real Prometheus scraping `targets`, evaluating `rules`, alerting and remote-writing as asked. */
export function startPrometheus(o: PrometheusOptions): Promise<RealServer> {
  const every = `${o.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: every, evaluation_interval: every },
    scrape_configs: [{ job_name: o.job ?? 'test', static_configs: [{ targets: o.targets }] }],
    ...(o.rules ? { rule_files: ['rules.yml'] } : {}),
    ...(o.alertmanagerUrl
      ? {
          alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(o.alertmanagerUrl).host] }] }] },
        }
      : {}),
    ...(o.remoteWrite
      ? {
          remote_write: [
            {
              url: o.remoteWrite.url,
              ...(o.remoteWrite.bearerToken
                ? { authorization: { credentials: o.remoteWrite.bearerToken } }
                : {}),
              queue_config: { batch_send_deadline: '1s' },
            },
          ],
        }
      : {}),
  };
  return run(
    'prometheus',
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    {
      'prometheus.yml': config,
      ...(o.rules ? { 'rules.yml': { groups: [{ name: 'test', rules: o.rules }] } } : {}),
    },
  );
}

export interface AlertmanagerOptions {
  /** Where every alert is delivered (webhook receiver, payload version 4). */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer ...` with each delivery. */
  bearerToken?: string;
}

/** A real Alertmanager routing every alert at once to one webhook, resolved ones included. */
export function startAlertmanager(o: AlertmanagerOptions): Promise<RealServer> {
  const config = {
    route: {
      receiver: 'sleuth',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [
      {
        name: 'sleuth',
        webhook_configs: [
          {
            url: o.webhookUrl,
            send_resolved: true,
            ...(o.bearerToken ? { http_config: { authorization: { credentials: o.bearerToken } } } : {}),
          },
        ],
      },
    ],
  };
  return run(
    'prometheus-alertmanager',
    (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { 'alertmanager.yml': config },
  );
}
