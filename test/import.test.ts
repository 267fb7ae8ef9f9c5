import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, type K8sEvent, type LogRecord, type ObjectSnapshot } from '@sleuth/core';
import { runImport } from '../services/server/src/import-command';
import { getJson, startTestServer, type TestServer } from './support/server';

/**
 * `sleuth import` of a cluster Sleuth never watched: the fixture is the folder
 * `kubectl cluster-info dump --all-namespaces --output-directory=DIR` writes (plus a `kubectl get
 * -o json` List of the kinds the dump leaves out). After the import, its pods, events and logs
 * are queryable and its topology is built, both through a running server and offline.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');
const DUMP = join(FIXTURES, 'cluster-dump');
const EXTRA = join(FIXTURES, 'cluster-dump-extra.json');
const BIN = join(import.meta.dirname, '..', 'bin', 'sleuth.mjs');
const WINDOW = 'from=2026-11-01T00:00:00Z&to=now';
/** The fixture's logs and events are from November 2026: a test run later must not see them retired. */
const KEEP = { 'store.retentionMaxAgeHours': 24 * 365 * 50 };
const servers: TestServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const s of servers) await s.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env['PATH'] ?? '' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What a user checks after importing: the crash, its reason, its events, and what it touches. */
async function expectImported(url: string, cluster: string): Promise<void> {
  const pods = await getJson<{ objects: ObjectSnapshot[] }>(
    url,
    `/api/v1/objects?cluster=${cluster}&kind=Pod`,
  );
  expect(pods.objects.every((p) => p.ref.cluster === cluster && p.ref.namespace === 'shop')).toBe(true);
  expect(pods.objects.map((p) => p.ref.name).sort()).toEqual([
    'checkout-6d8f7b9c5d-7xk2p',
    'checkout-6d8f7b9c5d-q9z4w',
    'postgres-0',
  ]);
  const crashing = pods.objects.find((p) => p.ref.name === 'checkout-6d8f7b9c5d-q9z4w');
  expect(JSON.stringify(crashing?.object)).toContain('CrashLoopBackOff');

  const services = await getJson<{ objects: ObjectSnapshot[] }>(
    url,
    `/api/v1/objects?cluster=${cluster}&kind=Service`,
  );
  expect(services.objects.map((o) => `${o.ref.namespace}/${o.ref.name}`).sort()).toEqual([
    'default/kubernetes',
    'shop/checkout',
    'shop/postgres',
  ]);

  const events = await getJson<{ events: K8sEvent[] }>(
    url,
    `/api/v1/events?cluster=${cluster}&reason=BackOff&${WINDOW}`,
  );
  expect(events.events[0]).toMatchObject({
    type: 'Warning',
    count: 212,
    involved: { kind: 'Pod', name: 'checkout-6d8f7b9c5d-q9z4w' },
  });

  const logs = await getJson<{ records: LogRecord[] }>(
    url,
    `/api/v1/logs?cluster=${cluster}&q=FATAL&${WINDOW}`,
  );
  const fatal = logs.records.find((r) => r.body.includes('could not connect to database'));
  expect(fatal?.source).toMatchObject({
    namespace: 'shop',
    pod: 'checkout-6d8f7b9c5d-q9z4w',
    container: 'checkout',
    workload: 'checkout',
  });
  expect(fatal?.timeMs).toBe(Date.parse('2026-11-22T08:09:44Z'));

  const secret = await getJson<ObjectSnapshot>(url, `/api/v1/objects/${cluster}/shop/Secret/checkout-db`);
  expect(JSON.stringify(secret.object)).not.toContain('aHVudGVyMi1wcm9kLWRi');

  type Edge = { kind: string; from: string; to: string };
  const n = await getJson<{ dependsOn: { edge: Edge }[]; dependents: { edge: Edge }[] }>(
    url,
    `/api/v1/topology/neighbours?cluster=${cluster}&namespace=shop&kind=Pod&name=checkout-6d8f7b9c5d-q9z4w`,
  );
  expect(n.dependsOn.map((d) => `${d.edge.kind} ${d.edge.to}`).sort()).toEqual([
    `runs_on ${cluster}/-/Node/ip-10-0-2-41.eu-west-1.compute.internal`,
    `uses_configmap ${cluster}/shop/ConfigMap/checkout-config`,
    `uses_secret ${cluster}/shop/Secret/checkout-db`,
  ]);
  expect(n.dependents.map((d) => `${d.edge.kind} ${d.edge.from}`).sort()).toEqual([
    `owns ${cluster}/shop/ReplicaSet/checkout-6d8f7b9c5d`,
    `selects ${cluster}/shop/Service/checkout`,
  ]);
  const pv = await getJson<{ upstream: { key: string }[] }>(
    url,
    `/api/v1/topology/upstream?cluster=${cluster}&namespace=shop&kind=Pod&name=postgres-0`,
  );
  expect(pv.upstream.map((u) => u.key)).toContain(
    `${cluster}/-/PersistentVolume/pvc-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`,
  );
}

describe('sleuth import', () => {
  it('imports a cluster dump through a running server: pods, events, logs queryable, topology built', async () => {
    const server = await startTestServer(KEEP);
    servers.push(server);
    const cli = await run(['import', DUMP, '--cluster', 'eu-dump', '--server', server.url]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Imported into cluster "eu-dump" from 18 files/);
    expect(cli.stdout).toMatch(/objects: 1 Deployment, 2 Node, 3 Pod, 1 ReplicaSet, 3 Service/);
    expect(cli.stdout).toMatch(/events: 3/);
    const extra = await run(['import', EXTRA, '--cluster', 'eu-dump', '--server', server.url]);
    expect(extra.code).toBe(0);
    await expectImported(server.url, 'eu-dump');
  });

  it('imports offline into a data folder that a server then serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sleuth-import-'));
    dirs.push(dataDir);
    const cli = await run(['import', DUMP, '--cluster', 'offline', '--data-dir', dataDir]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/events: 3\n {2}log lines: 11 \(11 without a timestamp/);
    const config = loadConfig({ env: {}, overrides: { 'store.dataDir': dataDir } });
    const summary = await runImport(config, createLogger('silent'), EXTRA, { cluster: 'offline' });
    expect(summary).toMatchObject({ cluster: 'offline', objects: { Secret: 1 }, skippedTotal: 0 });
    const server = await startTestServer({ ...KEEP, 'store.dataDir': dataDir });
    servers.push(server);
    await expectImported(server.url, 'offline');
  });

  it('names the folder as the cluster by default, and says what is wrong with a bad call', async () => {
    const missing = await run(['import', '/nonexistent/dump']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nothing to import at \/nonexistent\/dump/);
    const empty = mkdtempSync(join(tmpdir(), 'sleuth-import-empty-'));
    dirs.push(empty);
    writeFileSync(join(empty, 'pods.json'), '{"kind": "PodList", "items": [');
    const nothing = await run(['import', empty, '--server', 'http://127.0.0.1:9']);
    expect(nothing.code).toBe(1);
    expect(nothing.stdout).toMatch(/pods\.json:1: a JSON document is cut short/);
    expect(nothing.stderr).toMatch(/nothing in .* could be imported/);
    const none = await run(['import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/a PATH to import is required/);
    const help = await run(['import', '--help']);
    expect(help.stdout).toMatch(/kubectl cluster-info dump --all-namespaces --output-directory=PATH/);
    const { importClusterName } = await import('../services/server/src/import-command');
    expect(importClusterName(DUMP, undefined)).toBe('cluster-dump');
    expect(importClusterName('/tmp/prod-eu.dump', undefined)).toBe('prod-eu');
  });

  it("imports into a server that takes only agents with the cluster's token, and is told when it lacks one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sleuth-import-token-'));
    dirs.push(dir);
    const token = 'import-token-0123456789abcdef';
    writeFileSync(join(dir, 'tokens.yaml'), `clusters:\n  cluster-dump: ${token}\n`);
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const server = await startTestServer({
      ...KEEP,
      'ingest.agentTokensFile': join(dir, 'tokens.yaml'),
      'ingest.allowAnonymous': false,
    });
    servers.push(server);
    const refused = await run(['import', DUMP, '--server', server.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/answered 401: .*--token-file FILE/);
    // The folder names the cluster, and the token is that cluster's.
    const ok = await run(['import', DUMP, '--server', server.url, '--token-file', join(dir, 'token')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const logs = await getJson<{ records: LogRecord[] }>(
      server.url,
      `/api/v1/logs?cluster=cluster-dump&q=FATAL&${WINDOW}`,
    );
    expect(logs.records.map((r) => r.source.pod)).toContain('checkout-6d8f7b9c5d-q9z4w');
  });
});
