import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@sleuth/core';
import { startServer, type RunningServer } from '@sleuth/server';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Stops the server and deletes its data folder. */
  dispose(): Promise<void>;
}

/**
 * A real Sleuth server on 127.0.0.1 with a random port and a fresh data folder. The simulator and
 * the Kubernetes collector are off unless asked for; `overrides` are config keys such as `ingest.queueMaxRecords`.
 */
export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sleuth-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      'server.port': 0,
      'store.dataDir': dataDir,
      'simulator.mode': 'off',
      // A kubeconfig on the developer's machine must not make a test watch a real cluster.
      'kubernetes.mode': 'off',
      // Authentication is tested on its own (test/auth*.test.ts); elsewhere everyone is the local admin.
      'auth.enabled': false,
      ...overrides,
    },
  });
  const server = await startServer(config, createLogger('warn'));
  return {
    ...server,
    dataDir,
    dispose: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET a JSON document from the server, failing the test with the body when the status is not 200. */
export async function getJson<T = unknown>(base: string, path: string): Promise<T> {
  const res = await fetch(base + path);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms${lastErr instanceof Error ? `: ${lastErr.message}` : ''}`,
  );
}
