import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@sleuth/core';
import type { JsonObject } from '@sleuth/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiServer, type KubeObject } from '../../../test/support/kube-apiserver';
import { KubernetesCollector, type OtlpSender } from './collector';
import { rfc3339Nanos, type PodLogOptions } from './pod-logs';
import { OBJECT_RESOURCES } from './resources';
import { parseLabelSelector } from './selector';

const TOKEN = 'pod-logs-test-token';
const pods = OBJECT_RESOURCES.find((r) => r.plural === 'pods')!;

interface Line {
  pod: string;
  container: string;
  deployment: string | undefined;
  text: string;
  nanos: string | undefined;
  previous: boolean;
}

/** Keeps every log line sent, decoded from the OTLP requests. */
class RecordingSender implements OtlpSender {
  readonly lines: Line[] = [];
  readonly requests: JsonObject[] = [];

  send(signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    this.requests.push(request);
    if (signal !== 'logs') return Promise.resolve();
    type KV = { key: string; value: { stringValue?: string; boolValue?: boolean } };
    const rls = request['resourceLogs'] as {
      resource: { attributes: KV[] };
      scopeLogs: {
        logRecords: { body: { stringValue?: string }; timeUnixNano?: string; attributes?: KV[] }[];
      }[];
    }[];
    for (const rl of rls) {
      const attr = (k: string) => rl.resource.attributes.find((a) => a.key === k)?.value.stringValue;
      if (attr('k8s.container.name') === undefined) continue; // object changes
      for (const sl of rl.scopeLogs) {
        for (const r of sl.logRecords) {
          this.lines.push({
            pod: attr('k8s.pod.name') ?? '',
            container: attr('k8s.container.name') ?? '',
            deployment: attr('k8s.deployment.name'),
            text: r.body.stringValue ?? '',
            nanos: r.timeUnixNano,
            previous:
              r.attributes?.some((a) => a.key === 'k8s.container.previous' && a.value.boolValue) ?? false,
          });
        }
      }
    }
    return Promise.resolve();
  }

  texts(pod?: string): string[] {
    return this.lines.filter((l) => pod === undefined || l.pod === pod).map((l) => l.text);
  }
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'sleuth', token: TOKEN }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sleuth' }],
    currentContext: 'test',
  });
  return kc;
}

interface ContainerState {
  restarts?: number;
  running?: string;
  waiting?: string;
  lastTerminated?: { id: string; reason: string; exitCode: number };
}

function pod(
  name: string,
  state: ContainerState,
  opts: { namespace?: string; labels?: Record<string, string> } = {},
): KubeObject {
  const status: Record<string, unknown> = {
    name: 'app',
    restartCount: state.restarts ?? 0,
    ready: !!state.running,
  };
  if (state.running) {
    status['containerID'] = `containerd://${state.running}`;
    status['state'] = { running: { startedAt: new Date().toISOString() } };
  } else {
    status['state'] = { waiting: { reason: state.waiting ?? 'ContainerCreating' } };
  }
  if (state.lastTerminated) {
    status['lastState'] = {
      terminated: {
        containerID: `containerd://${state.lastTerminated.id}`,
        reason: state.lastTerminated.reason,
        exitCode: state.lastTerminated.exitCode,
        startedAt: new Date(Date.now() - 5000).toISOString(),
        finishedAt: new Date().toISOString(),
      },
    };
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'shop',
      uid: `uid-${name}`,
      labels: { app: 'checkout', 'pod-template-hash': '7d9f', ...opts.labels },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'rs-1', controller: true },
      ],
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'shop/checkout:1' }] },
    status: { phase: 'Running', containerStatuses: [status] },
  };
}

const LOG_OPTIONS: Partial<PodLogOptions> = {
  flushMs: 20,
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  deniedRetryMs: 60_000,
};

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pod logs', () => {
  let kube: KubeApiServer;
  let collector: KubernetesCollector | undefined;

  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
    await kube.stop();
  });

  async function start(logs: Partial<PodLogOptions> = {}): Promise<RecordingSender> {
    const sender = new RecordingSender();
    collector = new KubernetesCollector({
      cluster: 'lab',
      kubeConfig: kubeConfigFor(kube.url),
      sender,
      logger: createLogger('silent'),
      resources: [pods],
      logs: { ...LOG_OPTIONS, ...logs },
    });
    await collector.start();
    return sender;
  }

  it('follows running containers: lines from before and after the start, once each, with pod attributes', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.apply(pod('checkout-1', { running: 'c1' }));
    kube.appendLog('shop', 'checkout-1', 'app', ['listening on :8080', 'ready']);
    const sender = await start();
    await until('the first lines', () => sender.lines.length >= 2);
    await until('a follow stream', () => kube.logFollowerCount() === 1);
    kube.appendLog('shop', 'checkout-1', 'app', 'GET /cart 200 12ms');
    await until('the followed line', () => sender.lines.length >= 3);
    expect(sender.texts()).toEqual(['listening on :8080', 'ready', 'GET /cart 200 12ms']);
    const line = sender.lines[2]!;
    expect(line).toMatchObject({
      pod: 'checkout-1',
      container: 'app',
      deployment: 'checkout',
      previous: false,
    });
    expect(Number(line.nanos) / 1e6).toBeGreaterThan(Date.now() - 60_000);
    expect(collector!.status().logs).toMatchObject({ state: 'ok', following: 1, lines: 3 });
  });

  it('resumes a broken stream where it stopped, without repeating lines', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.apply(pod('checkout-1', { running: 'c1' }));
    const sender = await start();
    await until('a follow stream', () => kube.logFollowerCount() === 1);
    kube.appendLog('shop', 'checkout-1', 'app', ['one', 'two']);
    await until('two lines', () => sender.lines.length === 2);
    kube.closeLogStreams();
    kube.appendLog('shop', 'checkout-1', 'app', 'three (written while no one followed)');
    await until('a new follow stream', () => kube.logFollowerCount() === 1);
    kube.appendLog('shop', 'checkout-1', 'app', 'four');
    await until('four lines', () => sender.lines.length >= 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(sender.texts()).toEqual(['one', 'two', 'three (written while no one followed)', 'four']);
    const resumed = kube.requests.filter(
      (r) => r.path.endsWith('/log') && r.query['sinceTime'] !== undefined,
    );
    expect(resumed.length).toBeGreaterThan(0);
  });

  it('after a crash, follows the new instance and reads the rest of the old one once', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.apply(pod('checkout-1', { running: 'c1' }));
    const sender = await start();
    await until('a follow stream', () => kube.logFollowerCount() === 1);
    kube.appendLog('shop', 'checkout-1', 'app', ['starting', 'panic: nil map write']);
    await until('two lines', () => sender.lines.length === 2);
    kube.restartContainer('shop', 'checkout-1', 'app');
    kube.apply(
      pod('checkout-1', {
        running: 'c2',
        restarts: 1,
        lastTerminated: { id: 'c1', reason: 'Error', exitCode: 2 },
      }),
    );
    await until('a follow stream of the new instance', () => kube.logFollowerCount() === 1);
    kube.appendLog('shop', 'checkout-1', 'app', 'starting again');
    await until('three lines', () => sender.lines.length >= 3);
    await until('the terminated log read', () => collector!.status().logs.terminatedLogs === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sender.texts()).toEqual(['starting', 'panic: nil map write', 'starting again']);
  });

  it("reads the previous log of a container that crashed before it was followed: the crash's last words", async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.apply(pod('checkout-1', { running: 'c1' }));
    const lines = Array.from({ length: 30 }, (_, i) => `processing order ${i}`);
    kube.appendLog('shop', 'checkout-1', 'app', [...lines, 'FATAL: could not connect to postgres:5432']);
    kube.restartContainer('shop', 'checkout-1', 'app');
    kube.apply(
      pod('checkout-1', {
        waiting: 'CrashLoopBackOff',
        restarts: 3,
        lastTerminated: { id: 'c1', reason: 'Error', exitCode: 1 },
      }),
    );
    const sender = await start({ previousTailLines: 5 });
    await until('the previous log', () => sender.lines.length >= 5);
    await new Promise((r) => setTimeout(r, 100));
    expect(sender.texts()).toEqual([
      'processing order 26',
      'processing order 27',
      'processing order 28',
      'processing order 29',
      'FATAL: could not connect to postgres:5432',
    ]);
    expect(sender.lines.every((l) => l.previous)).toBe(true);
    const previousRequests = kube.requests.filter((r) => r.query['previous'] === 'true');
    expect(previousRequests).toHaveLength(1);
    expect(previousRequests[0]!.query['tailLines']).toBe('5');
  });

  it('follows at most maxStreams containers; a waiting one starts when a stream frees up', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    for (const n of ['a', 'b', 'c']) kube.apply(pod(`checkout-${n}`, { running: `c-${n}` }));
    const sender = await start({ maxStreams: 2 });
    await until('two streams', () => kube.logFollowerCount() === 2);
    await until('the status', () => collector!.status().logs.waiting === 1);
    expect(collector!.status().logs).toMatchObject({ following: 2, waiting: 1 });
    const followed = new Set(
      kube.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.path.split('/')[6]),
    );
    const waiting = ['checkout-a', 'checkout-b', 'checkout-c'].find((p) => !followed.has(p))!;
    const gone = [...followed][0]!;
    kube.remove('v1', 'Pod', 'shop', gone);
    await until('the waiting pod followed', () =>
      kube.requests.some((r) => r.path.endsWith(`/pods/${waiting}/log`)),
    );
    kube.appendLog('shop', waiting, 'app', 'finally followed');
    await until('its line', () => sender.texts(waiting).includes('finally followed'));
    expect(collector!.status().logs).toMatchObject({ following: 2, waiting: 0 });
  });

  it('collects only the configured namespaces and labels', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.apply(pod('checkout-1', { running: 'c1' }));
    kube.apply(pod('canary-1', { running: 'c2' }, { labels: { track: 'canary' } }));
    kube.apply(pod('other-1', { running: 'c3' }, { namespace: 'kube-system' }));
    for (const [ns, p] of [
      ['shop', 'checkout-1'],
      ['shop', 'canary-1'],
      ['kube-system', 'other-1'],
    ] as const) {
      kube.appendLog(ns, p, 'app', `hello from ${p}`);
    }
    const sender = await start({
      namespaces: ['shop'],
      selector: parseLabelSelector('app=checkout,track!=canary'),
    });
    await until('the line', () => sender.lines.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(sender.texts()).toEqual(['hello from checkout-1']);
    expect(kube.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.path)).toEqual([
      '/api/v1/namespaces/shop/pods/checkout-1/log',
    ]);
  });

  it('reports a forbidden pods/log in the status and keeps watching objects', async () => {
    kube = await KubeApiServer.start({ token: TOKEN });
    kube.forbid('pods/log');
    kube.apply(pod('checkout-1', { running: 'c1' }));
    const sender = await start();
    await until('forbidden', () => collector!.status().logs.state === 'forbidden');
    const status = collector!.status();
    expect(status.state).toBe('degraded');
    expect(status.logs.error).toMatch(/cannot get resource "pods"/);
    kube.apply(pod('checkout-2', { running: 'c2' }));
    await until('the new pod as an object', () =>
      sender.requests.some((r) => JSON.stringify(r).includes('checkout-2')),
    );
    expect(sender.lines).toEqual([]);
  });
});

describe('rfc3339Nanos', () => {
  it('reads the kubelet timestamps to the nanosecond, with or without a fraction or offset', () => {
    expect(rfc3339Nanos('2026-11-23T10:00:00.123456789Z')).toBe(1795428000123456789n);
    expect(rfc3339Nanos('2026-11-23T10:00:00.5Z')).toBe(1795428000500000000n);
    expect(rfc3339Nanos('2026-11-23T10:00:00Z')).toBe(1795428000000000000n);
    expect(rfc3339Nanos('2026-11-23T11:00:00.25+01:00')).toBe(1795428000250000000n);
    expect(rfc3339Nanos('not a time')).toBeUndefined();
    expect(rfc3339Nanos('2026-11-23 10:00:00')).toBeUndefined();
  });
});
