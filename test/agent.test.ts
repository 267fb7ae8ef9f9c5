import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type K8sEvent, type LogRecord, type ObjectSnapshot } from '@sleuth/core';
import { Agent } from '@sleuth/kubernetes';
import { logsRequest } from '@sleuth/pipeline';
import { KubeApiServer, type KubeObject } from './support/kube-apiserver';
import { exited } from './support/process';
import { eventually, getJson, startTestServer, type TestServer } from './support/server';

/**
 * Agent mode end to end: two agents, each watching its own cluster (a test Kubernetes API server)
 * through @kubernetes/client-node, push to one Sleuth server with their clusters' tokens. The
 * server goes away for a while and comes back on the same data: what the agents collected in
 * between arrives from their spools, nothing lost, nothing twice.
 */
const TOKENS = {
  east: 'east-token-0123456789abcdef',
  west: 'west-token-0123456789abcdef',
  north: 'north-token-0123456789abcdef',
};
type Cluster = 'east' | 'west';

let dir: string;
let sleuth: TestServer;
let port: number;
const kube = {} as Record<Cluster, KubeApiServer>;
const agents = {} as Record<Cluster, Agent>;

function pod(name: string, restarts = 0): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'web', 'pod-template-hash': '6f7c' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6f7c', uid: 'rs', controller: true },
      ],
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'web:1' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: restarts,
          containerID: `containerd://${name}-${restarts}`,
          state: { running: { startedAt: new Date().toISOString() } },
        },
      ],
    },
  };
}

function event(name: string, reason: string): KubeObject {
  const now = new Date().toISOString();
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name, namespace: 'shop', uid: `ev-${name}` },
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'web-6f7c-a', namespace: 'shop' },
    reason,
    note: `${reason} happened`,
    type: 'Warning',
    eventTime: now,
    reportingController: 'kubelet',
    action: reason,
  };
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'sleuth', token: 'sa' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'sleuth' }],
    currentContext: 'c',
  });
  return kc;
}

async function startAgent(cluster: Cluster): Promise<Agent> {
  const agent = await Agent.create({
    cluster,
    kubeConfig: kubeConfigFor(kube[cluster].url),
    server: sleuth.url,
    token: TOKENS[cluster],
    spoolDir: join(dir, `spool-${cluster}`),
    spoolMaxBytes: 64 * 1024 * 1024,
    logger: createLogger('silent'),
    version: 'test',
    logs: { flushMs: 50 },
    usage: false,
    statusIntervalMs: 200,
    backoffBaseMs: 50,
    backoffMaxMs: 300,
  });
  await agent.start();
  return agent;
}

async function logsOf(cluster: string, q: string): Promise<LogRecord[]> {
  const r = await getJson<{ records: LogRecord[] }>(
    sleuth.url,
    `/api/v1/logs?cluster=${cluster}&q=${encodeURIComponent(q)}&from=now-1h&limit=1000`,
  );
  return r.records;
}

const objectOf = (cluster: string, name: string) =>
  getJson<ObjectSnapshot>(sleuth.url, `/api/v1/objects/${cluster}/shop/Pod/${name}`).catch(() => undefined);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sleuth-agents-'));
  const tokensFile = join(dir, 'agent-tokens.yaml');
  writeFileSync(
    tokensFile,
    `clusters:\n  east: ${TOKENS.east}\n  west: ${TOKENS.west}\n  north: ${TOKENS.north}\n`,
  );
  sleuth = await startTestServer({ 'ingest.agentTokensFile': tokensFile });
  port = Number(new URL(sleuth.url).port);
  for (const c of ['east', 'west'] as const) {
    kube[c] = await KubeApiServer.start({ bookmarkIntervalMs: 500 });
    kube[c].apply(pod('web-6f7c-a'));
    kube[c].appendLog('shop', 'web-6f7c-a', 'web', `${c} booted and serving`);
    kube[c].apply(event('web.started', 'Started'));
    agents[c] = await startAgent(c);
  }
});

afterAll(async () => {
  for (const a of Object.values(agents)) await a.stop();
  for (const k of Object.values(kube)) await k.stop();
  await sleuth?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('sleuth agent', () => {
  it("delivers each cluster's objects, events and logs under its own name", async () => {
    for (const c of ['east', 'west'] as const) {
      const p = await eventually(() => objectOf(c, 'web-6f7c-a'));
      expect(p.ref).toMatchObject({ cluster: c, kind: 'Pod', uid: 'uid-web-6f7c-a' });
      const line = await eventually(async () => (await logsOf(c, 'booted'))[0]);
      expect(line).toMatchObject({
        body: `${c} booted and serving`,
        source: { cluster: c, pod: 'web-6f7c-a' },
      });
      await eventually(async () => {
        const r = await getJson<{ events: K8sEvent[] }>(
          sleuth.url,
          `/api/v1/events?cluster=${c}&from=now-1h`,
        );
        return r.events.find((e) => e.reason === 'Started');
      });
    }
  });

  it('shows each agent, its last contact and its collector in /api/v1/clusters', async () => {
    type Clusters = {
      clusters: {
        name: string;
        lastSeenMs: number;
        agents?: {
          id: string;
          batches: number;
          lastSeenMs: number;
          report?: { collector?: { state: string } };
        }[];
      }[];
    };
    for (const c of ['east', 'west'] as const) {
      const info = await eventually(async () => {
        const r = await getJson<Clusters>(sleuth.url, '/api/v1/clusters');
        const x = r.clusters.find((y) => y.name === c);
        return x?.agents?.[0]?.report?.collector?.state === 'ok' ? x : undefined;
      });
      expect(info.agents).toHaveLength(1);
      expect(info.agents?.[0]?.id).toBe(agents[c].id);
      expect(info.agents?.[0]?.batches).toBeGreaterThan(0);
      expect(Date.now() - info.lastSeenMs).toBeLessThan(60_000);
    }
  });

  it('refuses a wrong or missing token with 401, and records for another cluster than the token’s', async () => {
    const body = JSON.stringify(
      logsRequest([{ resource: { 'k8s.cluster.name': 'east' }, records: [{ body: { stringValue: 'x' } }] }]),
    );
    const post = (headers: Record<string, string>) =>
      fetch(`${sleuth.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const wrong = await post({ authorization: 'Bearer not-the-east-token-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized', message: /not valid/ } });
    const noToken = await post({ 'x-sleuth-batch-id': 'someone:1' });
    expect(noToken.status).toBe(401);
    const status = await fetch(`${sleuth.url}/v1/agent/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' },
      body: JSON.stringify({ agent: 'x' }),
    });
    expect(status.status).toBe(401);

    // West's token cannot write east's data: those records are rejected, west's own are kept.
    const mixed = logsRequest([
      { resource: { 'k8s.cluster.name': 'east' }, records: [{ body: { stringValue: 'forged for east' } }] },
      { resource: { 'k8s.cluster.name': 'west' }, records: [{ body: { stringValue: 'honest west line' } }] },
    ]);
    const res = await fetch(`${sleuth.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.west}` },
      body: JSON.stringify(mixed),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string };
    };
    expect(Number(answer.partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toMatch(
      /cluster east rejected: this agent's token is for cluster west/,
    );
    await eventually(async () => (await logsOf('west', 'honest'))[0]);
    expect(await logsOf('east', 'forged')).toEqual([]);
  });

  it('answers a replayed batch without storing it twice', async () => {
    const request = logsRequest([
      {
        resource: { 'k8s.cluster.name': 'east' },
        records: [{ body: { stringValue: 'sent twice, stored once' } }],
      },
    ]);
    const send = () =>
      fetch(`${sleuth.url}/v1/logs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKENS.east}`,
          'x-sleuth-batch-id': 'replay-test-agent:7',
        },
        body: JSON.stringify(request),
      });
    expect((await send()).status).toBe(200);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.get('x-sleuth-replay')).toBe('true');
    await eventually(async () => (await logsOf('east', 'stored once')).length === 1 || undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(await logsOf('east', 'stored once')).toHaveLength(1);
  });

  it('buffers while the server is down and delivers everything once when it is back', async () => {
    const dataDir = sleuth.dataDir;
    await sleuth.stop();

    // Life goes on in both clusters while the server is away.
    for (const c of ['east', 'west'] as const) {
      for (let i = 0; i < 20; i++) kube[c].apply(pod(`web-6f7c-n${i}`));
      kube[c].apply(event('web.oom', 'OOMKilling'));
      for (let i = 0; i < 50; i++)
        kube[c].appendLog('shop', 'web-6f7c-a', 'web', `${c} outage line ${i} marker`);
    }
    for (const c of ['east', 'west'] as const) {
      await eventually(() => {
        const s = agents[c].status();
        return Promise.resolve(s.spool.requests > 0 && s.shipper.state === 'unreachable' ? s : undefined);
      });
    }

    const restarted = await startTestServer({
      'ingest.agentTokensFile': join(dir, 'agent-tokens.yaml'),
      'server.port': port,
      'store.dataDir': dataDir,
    });
    sleuth = {
      ...restarted,
      dataDir,
      dispose: async () => {
        await restarted.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    for (const c of ['east', 'west'] as const) {
      await eventually(() => {
        const s = agents[c].status();
        return Promise.resolve(s.spool.requests === 0 && s.shipper.state === 'ok' ? s : undefined);
      });
      const lines = await eventually(async () => {
        const l = await logsOf(c, 'marker');
        return l.length >= 50 ? l : undefined;
      });
      // Each line exactly once.
      expect(lines.map((l) => l.body).sort()).toEqual(
        Array.from({ length: 50 }, (_, i) => `${c} outage line ${i} marker`).sort(),
      );
      const pods = await getJson<{ objects: ObjectSnapshot[] }>(
        sleuth.url,
        `/api/v1/objects?cluster=${c}&kind=Pod&limit=100`,
      );
      expect(pods.objects.map((o) => o.ref.name).sort()).toEqual(
        ['web-6f7c-a', ...Array.from({ length: 20 }, (_, i) => `web-6f7c-n${i}`)].sort(),
      );
      const history = await getJson<{ snapshots: ObjectSnapshot[] }>(
        sleuth.url,
        `/api/v1/objects/${c}/shop/Pod/web-6f7c-n7/history`,
      );
      expect(history.snapshots).toHaveLength(1);
      const events = await getJson<{ events: K8sEvent[] }>(
        sleuth.url,
        `/api/v1/events?cluster=${c}&from=now-1h`,
      );
      expect(events.events.filter((e) => e.reason === 'OOMKilling')).toHaveLength(1);
    }
  });

  it('runs as `sleuth agent` from the command line, with a token file and a health endpoint', async () => {
    const bin = join(import.meta.dirname, '..', 'bin', 'sleuth.mjs');
    const missing = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, 'agent', '--server', sleuth.url, '--cluster', 'north'],
        { env: { PATH: process.env['PATH'] ?? '' } },
        (err, _stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/a token is required: --token-file FILE or SLEUTH_AGENT_TOKEN/);

    const north = await KubeApiServer.start();
    north.apply(pod('web-6f7c-north'));
    const kubeconfig = join(dir, 'north.kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: north',
        '  cluster:',
        `    server: ${north.url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: sa',
        '  user:',
        '    token: sa-token',
        'contexts:',
        '- name: north',
        '  context:',
        '    cluster: north',
        '    user: sa',
        'current-context: north',
      ].join('\n'),
    );
    const tokenFile = join(dir, 'north.token');
    writeFileSync(tokenFile, `${TOKENS.north}\n`);
    const healthPort = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [
        bin,
        'agent',
        '--server',
        sleuth.url,
        '--cluster',
        'north',
        '--token-file',
        tokenFile,
        '--kubeconfig',
        kubeconfig,
        '--spool-dir',
        join(dir, 'spool-north'),
        '--health-port',
        String(healthPort),
        '--log-level',
        'warn',
      ],
      { stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '' } },
    );
    try {
      const p = await eventually(() => objectOf('north', 'web-6f7c-north'));
      expect(p.ref.cluster).toBe('north');
      const health = await eventually(async () => {
        const r = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
        return r.status === 200
          ? ((await r.json()) as { cluster: string; shipper: { state: string } })
          : undefined;
      });
      expect(health).toMatchObject({ cluster: 'north', shipper: { state: 'ok' } });
    } finally {
      expect(await exited(child, 'SIGTERM')).toBe(0);
      await north.stop();
    }
  });
});
