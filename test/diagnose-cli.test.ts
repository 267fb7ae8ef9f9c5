import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@sleuth/core';
import { openStore } from '../services/server/src/serve';
import { getJson, startTestServer, type TestServer } from './support/server';

/**
 * The done-when: `sleuth import` of a cluster dump followed by `sleuth diagnose` explains a
 * crash-looping pod from the dump's data alone. The fixture is a `kubectl cluster-info dump
 * --output-directory` folder: payments/ledger-api's only pod waits in CrashLoopBackOff, and the log
 * kubectl dumped for it is its crashed instance's, ending in the panic that killed it;
 * payments/fx-rates is healthy.
 */
const DUMP = join(import.meta.dirname, 'fixtures', 'crashloop-dump');
const BIN = join(import.meta.dirname, '..', 'bin', 'sleuth.mjs');
const POD = 'ledger-api-5c7d9f8b6-hx2lq';
const CRASH = 'panic: config: required key LEDGER_DB_URL is not set';
let dataDir: string;
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanup) await c();
});

function sleuth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sleuth-diagnose-'));
  cleanup.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  const imported = await sleuth('import', DUMP, '--cluster', 'pay-eu', '--data-dir', dataDir);
  expect(imported.stderr).toBe('');
  expect(imported.stdout).toMatch(/objects: 2 Deployment, 1 Node, 2 Pod, 2 ReplicaSet, 1 Service/);
});

describe('sleuth diagnose after sleuth import', () => {
  it('explains the crash-looping pod: the failure mode, the crash reason from its log, what to run', async () => {
    const out = await sleuth('diagnose', `payments/pod/${POD}`, '--data-dir', dataDir);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`payments/Pod/${POD} in cluster pay-eu`);
    // Ranked first: the crash loop on the pod, explained by the previous instance's last words.
    expect(out.stdout).toMatch(new RegExp(`^1\\. crash-loop on payments/Pod/${POD}, confidence 90%$`, 'm'));
    expect(out.stdout).toContain(`last log line that reads like the cause: "${CRASH}"`);
    expect(out.stdout).toMatch(new RegExp(`^ {7}\\S+Z ledger-api: ${CRASH}$`, 'm'));
    expect(out.stdout).toContain('status.containerStatuses[name=ledger-api].restartCount = 9');
    expect(out.stdout).toContain(`$ kubectl logs ${POD} -c ledger-api --previous -n payments`);
    // The Deployment short of replicas is the consequence, ranked below.
    expect(out.stdout).toMatch(/^2\. unavailable-replicas on payments\/Deployment\/ledger-api/m);
    expect(out.stdout).toMatch(/BackOff \(×131 since 2026-11-22T08:51:10\.000Z\): Back-off restarting/);
    expect(out.stdout).toContain('No open incident includes it.');
  });

  it('finds the same cause from the Deployment, and says nothing is wrong with a healthy one', async () => {
    const deployment = await sleuth('diagnose', 'payments/deploy/ledger-api', '--data-dir', dataDir);
    expect(deployment.code).toBe(0);
    expect(deployment.stdout).toContain(`analyzed with payments/Pod/${POD}`);
    expect(deployment.stdout).toMatch(new RegExp(`^1\\. crash-loop on payments/Pod/${POD}`, 'm'));

    const healthy = await sleuth('diagnose', 'payments/Deployment/fx-rates', '--data-dir', dataDir);
    expect(healthy.stderr).toBe('');
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain('Nothing wrong found');
    expect(healthy.stdout).not.toMatch(/crash-loop|confidence/);
  });

  it('prints JSON that the API gives too, and lists an open incident that includes the pod', async () => {
    const store = await openStore(
      loadConfig({ env: {}, overrides: { 'store.dataDir': dataDir } }),
      createLogger('silent'),
    );
    await store.putIncident({
      id: 'inc_ledger',
      title: 'ledger-api restarts',
      status: 'open',
      severity: 'high',
      startMs: Date.parse('2026-11-22T08:52:00Z'),
      updatedMs: Date.parse('2026-11-22T09:19:00Z'),
      resources: [{ cluster: 'pay-eu', namespace: 'payments', kind: 'Pod', name: POD }],
      anomalyIds: [],
      rootCauses: [],
    });
    await store.stop();

    const out = await sleuth('diagnose', `payments/Pod/${POD}`, '--data-dir', dataDir, '--json');
    expect(out.code).toBe(0);
    const cli = JSON.parse(out.stdout) as {
      rootCauses: { id: string; failureMode: string; evidence: { quotes: string[] }[] }[];
      recommendations: { commands: string[] }[];
      openIncidents: { id: string }[];
    };
    expect(cli.rootCauses.map((c) => c.failureMode)).toEqual(['crash-loop', 'unavailable-replicas']);
    expect(cli.rootCauses[0]?.evidence.flatMap((e) => e.quotes).join('\n')).toContain(CRASH);
    expect(cli.recommendations[0]?.commands).toContain(
      `kubectl logs ${POD} -c ledger-api --previous -n payments`,
    );
    expect(cli.openIncidents.map((i) => i.id)).toEqual(['inc_ledger']);
    const text = await sleuth('diagnose', `payments/Pod/${POD}`, '--data-dir', dataDir);
    expect(text.stdout).toMatch(
      /Open incidents that include it:\n {2}inc_ledger \[high\] ledger-api restarts/,
    );

    const server: TestServer = await startTestServer({
      'store.dataDir': dataDir,
      'store.retentionMaxAgeHours': 24 * 365 * 50,
    });
    cleanup.unshift(() => server.stop());
    const api = await getJson<typeof cli>(
      server.url,
      `/api/v1/diagnosis?cluster=pay-eu&resource=payments/Pod/${POD}`,
    );
    expect(api.rootCauses.map((c) => c.id)).toEqual(cli.rootCauses.map((c) => c.id));
    expect(api.recommendations).toEqual(cli.recommendations);
    const missing = await fetch(`${server.url}/api/v1/diagnosis?resource=payments/Pod/ledger-api`);
    expect(missing.status).toBe(404);
  });
});

describe('sleuth diagnose errors', () => {
  it('exits 1 for a resource that is not stored, listing close matches', async () => {
    const typo = await sleuth('diagnose', 'payments/pod/ledger-api-5c7d9f8b6-hx2lg', '--data-dir', dataDir);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('no payments/Pod/ledger-api-5c7d9f8b6-hx2lg is stored');
    expect(typo.stderr).toMatch(
      new RegExp(`Close matches:\\n {2}payments/Pod/${POD} {2}\\(cluster pay-eu\\)`),
    );

    const otherCluster = await sleuth(
      'diagnose',
      `payments/pod/${POD}`,
      '--cluster',
      'us',
      '--data-dir',
      dataDir,
    );
    expect(otherCluster.code).toBe(1);
    expect(otherCluster.stderr).toContain(`no payments/Pod/${POD} in cluster us is stored`);

    const noStore = await sleuth('diagnose', `payments/pod/${POD}`, '--data-dir', join(dataDir, 'nope'));
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toMatch(/no Sleuth store at .*nope .*sleuth import/);
  });

  it('exits 2 with the usage for a bad argument, and explains itself with --help', async () => {
    for (const args of [['ledger-api'], [], ['a/b', 'c/d'], ['payments/pod/x', '--verbose']]) {
      const bad = await sleuth('diagnose', ...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^sleuth diagnose: .+\n\nUsage: sleuth diagnose NAMESPACE\/KIND\/NAME/);
    }
    const help = await sleuth('diagnose', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: sleuth diagnose NAMESPACE\/KIND\/NAME/);
    expect(help.stdout).toContain('--data-dir DIR');
    const main = await sleuth('--help');
    expect(main.stdout).toMatch(/diagnose {3}Explain what is wrong with a resource/);
  });
});
