import { execFile, execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixAction, Incident } from '@sleuth/core';
import type { IncidentFix, OpenResult } from '@sleuth/server';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

const TARGET = { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' };

const BIN = resolve(import.meta.dirname, '..', 'bin', 'sleuth.mjs');

let server: TestServer;

function sleuth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env['PATH'] ?? '' } },
      (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

beforeAll(async () => {
  server = await startTestServer({
    'simulator.mode': 'on',
    'simulator.speed': 30,
    'simulator.tickSeconds': 5,
    'detect.tickSeconds': 0.2,
  });
});
afterAll(async () => {
  await server.dispose();
});

/**
 * The demo, on the embedded default: the simulated fleet comes with its GitOps repository
 * (a bare repository in the data folder), an OOM-killed workload becomes an incident, Sleuth
 * proposes raising that container's memory limit in the repository, and the API opens it as a
 * branch, leaving `main` untouched.
 */
describe('a fix for a simulated OOM kill, end to end', () => {
  it('proposes raising the memory limit in the fleet repository and opens it as a branch', async () => {
    const repo = join(server.dataDir, 'gitops-demo.git');
    const mainBefore = git(repo, 'rev-parse', 'main');
    const fault = await fetch(`${server.url}/api/v1/simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'oom_killed', target: TARGET, durationSeconds: 1800 }),
    });
    expect(fault.status).toBe(201);

    const incident = await eventually(async () => {
      const { incidents } = await getJson<{ incidents: Incident[] }>(
        server.url,
        '/api/v1/incidents?status=open',
      );
      return incidents.find((i) =>
        i.rootCauses.some(
          (c) =>
            c.failureMode === 'oom-killed' &&
            c.resource.cluster === TARGET.cluster &&
            c.remediation?.patch?.field.includes('resources.limits.memory'),
        ),
      );
    }, 90_000);

    const proposed = await getJson<IncidentFix>(server.url, `/api/v1/incidents/${incident.id}/fix`);
    expect(proposed.provider).toBe('local');
    expect(proposed.fix).toBeDefined();
    const fix = proposed.fix!;
    expect(fix.fixer).toBe('memory-limit');
    expect(fix.policy).toBe('propose');
    expect(fix.path).toBe(`clusters/prod-us/payments/payments-api.yaml`);
    expect(fix.target).toEqual({ kind: 'Deployment', name: 'payments-api', namespace: 'payments' });
    // The diff changes the memory limit line and nothing else.
    const changed = fix.patch.split('\n').filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed.map((l) => l.replace(/\s+/g, ' '))).toEqual([
      `- memory: ${fix.from}`,
      `+ memory: ${fix.to}`,
    ]);
    expect(fix.from).toBe('1024Mi');
    expect(proposed.actions).toEqual([]);

    // The CLI shows the same fix, changing nothing.
    const dry = await sleuth('fix', incident.id, '--dry-run', '--server', server.url);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`File: ${fix.path}`);
    expect(dry.stdout).toContain(fix.patch.trimEnd());
    expect(dry.stdout).toMatch(/^Rollback: /m);

    const res = await fetch(`${server.url}/api/v1/incidents/${incident.id}/fix/pull-request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'fix-demo-test' },
      body: JSON.stringify({ note: 'approved after reading the diff' }),
    });
    const opened = (await res.json()) as OpenResult;
    expect(res.status, JSON.stringify(opened)).toBe(201);
    expect(opened.action).toMatchObject({ outcome: 'opened', trigger: 'api', fixer: 'memory-limit' });
    expect(opened.action.actor).toMatch(/^local \(authentication off\) at 127\.0\.0\.1 \(fix-demo-test\)$/);
    expect(opened.branch).toMatch(new RegExp(`^sleuth/${incident.id}-`));
    expect(opened.pullRequest).toBeUndefined();

    // The branch is on the repository with the new limit; main is what it was.
    expect(git(repo, 'rev-parse', 'main')).toBe(mainBefore);
    const onBranch = git(repo, 'show', `${opened.branch}:${fix.path}`);
    expect(onBranch).toContain(`memory: ${fix.to}`);
    expect(git(repo, 'log', '-1', '--format=%an%n%B', opened.branch)).toMatch(
      new RegExp(`^Sleuth\\n[^]*Sleuth-Incident: ${incident.id}`),
    );

    // Asking again commits nothing new; both requests are in the audit log.
    const again = await fetch(`${server.url}/api/v1/incidents/${incident.id}/fix/pull-request`, {
      method: 'POST',
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as OpenResult).action.outcome).toBe('unchanged');
    const cli = await sleuth('fix', incident.id, '--server', server.url, '--note', 'from the terminal');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^Already up to date: branch ${opened.branch} `));
    const { actions } = await getJson<{ actions: FixAction[] }>(
      server.url,
      `/api/v1/fix-actions?incident=${incident.id}`,
    );
    expect(actions.map((a) => [a.outcome, a.trigger, a.note])).toEqual([
      ['unchanged', 'cli', 'from the terminal'],
      ['unchanged', 'api', undefined],
      ['opened', 'api', 'approved after reading the diff'],
    ]);
    const after = await getJson<IncidentFix>(server.url, `/api/v1/incidents/${incident.id}/fix`);
    expect(after.branch).toBe(opened.branch);
  }, 150_000);
});
