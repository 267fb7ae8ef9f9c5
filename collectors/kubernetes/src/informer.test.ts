import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiServer, type KubeObject } from '../../../test/support/kube-apiserver';
import { Informer, type InformerOptions, type ObjectChange } from './informer';
import { KubeApi } from './kube-api';
import { OBJECT_RESOURCES, type WatchedResource } from './resources';

const TOKEN = 'informer-test-token';
const pods = OBJECT_RESOURCES.find((r) => r.plural === 'pods')!;
const secrets = OBJECT_RESOURCES.find((r) => r.plural === 'secrets')!;
const deployments = OBJECT_RESOURCES.find((r) => r.plural === 'deployments')!;

const OPTIONS: InformerOptions = {
  pageSize: 7,
  chunkSize: 50,
  maxPending: 10_000,
  watchTimeoutSeconds: 30,
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  deniedRetryMs: 200,
};

function kubeConfigFor(url: string, token = TOKEN): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'sleuth', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sleuth' }],
    currentContext: 'test',
  });
  return kc;
}

function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'api' } },
    spec: { containers: [{ name: 'api', image: 'api:1' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

/** Collects what an informer hands on, and can hold deliveries to simulate a slow sink. */
class RecordingSink {
  readonly changes: ObjectChange[] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  readonly sink = async (changes: ObjectChange[]): Promise<void> => {
    while (this.gate) await this.gate;
    this.changes.push(...changes);
  };

  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }

  release(): void {
    const open = this.open;
    this.gate = undefined;
    open?.();
  }

  /** The latest state per object name, as a consumer applying the changes in order would hold it. */
  state(): Map<string, ObjectChange> {
    const m = new Map<string, ObjectChange>();
    for (const c of this.changes) {
      const name = c.object.metadata?.name ?? '';
      if (c.type === 'DELETED') m.delete(name);
      else m.set(name, c);
    }
    return m;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const running: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function startServer(): Promise<KubeApiServer> {
  const server = await KubeApiServer.start({ token: TOKEN, bookmarkIntervalMs: 100 });
  running.push(server);
  return server;
}

function startInformer(
  server: KubeApiServer,
  resource: WatchedResource,
  sink: RecordingSink,
  opts = OPTIONS,
) {
  const informer = new Informer(new KubeApi(kubeConfigFor(server.url)), resource, sink.sink, opts);
  const abort = new AbortController();
  const done = informer.run(abort.signal);
  running.push({
    stop: async () => {
      abort.abort();
      await done;
    },
  });
  return informer;
}

describe('Informer', () => {
  it('lists every object across pages, then hands on changes and deletions as they happen', async () => {
    const server = await startServer();
    for (let i = 0; i < 20; i++) server.apply(pod(`api-${i}`));
    const sink = new RecordingSink();
    const informer = startInformer(server, pods, sink);
    await until('the list is handed on', () => sink.changes.length === 20);
    expect(new Set(sink.changes.map((c) => c.object.metadata?.name)).size).toBe(20);
    expect(sink.changes.every((c) => c.type === 'ADDED' && c.object.kind === 'Pod')).toBe(true);
    const listCalls = server.requests.filter(
      (r) => r.path === '/api/v1/pods' && r.query['watch'] === undefined,
    );
    expect(listCalls.length).toBe(3); // 20 objects in pages of 7
    await until('synced', () => informer.snapshot().state === 'synced');

    server.apply(pod('api-3', { status: { phase: 'Failed' } }));
    server.remove('v1', 'Pod', 'shop', 'api-4');
    server.apply(pod('api-new'));
    await until('the watch delivers three changes', () => sink.changes.length === 23);
    expect(sink.changes.slice(20).map((c) => [c.type, c.object.metadata?.name])).toEqual([
      ['MODIFIED', 'api-3'],
      ['DELETED', 'api-4'],
      ['ADDED', 'api-new'],
    ]);
    expect(informer.snapshot()).toMatchObject({ resource: 'pods', state: 'synced', objects: 20 });
  });

  it('after 410 Gone lists again and hands on only what changed meanwhile: nothing duplicated, nothing lost', async () => {
    const server = await startServer();
    for (let i = 0; i < 10; i++) server.apply(pod(`api-${i}`));
    const sink = new RecordingSink();
    const informer = startInformer(server, pods, sink);
    await until('synced', () => informer.snapshot().state === 'synced' && sink.changes.length === 10);
    await until('watching', () => server.watchCount() === 1);

    // Changes the watch does not see: the sink stalls while they happen, then history is compacted.
    sink.hold();
    server.apply(pod('api-0', { status: { phase: 'Failed' } }));
    await until('the first change is received', () => informer.snapshot().lastChangeMs !== undefined);
    server.closeWatches();
    server.remove('v1', 'Pod', 'shop', 'api-1');
    server.apply(pod('api-2', { status: { phase: 'Pending' } }));
    server.apply(pod('api-10'));
    server.compact();
    sink.release();

    await until(
      're-listed',
      () => informer.snapshot().relists === 1 && informer.snapshot().state === 'synced',
    );
    await until('every change is handed on', () => sink.state().get('api-10') !== undefined);
    const state = sink.state();
    expect([...state.keys()].sort()).toEqual(
      ['api-0', 'api-2', 'api-3', 'api-4', 'api-5', 'api-6', 'api-7', 'api-8', 'api-9', 'api-10'].sort(),
    );
    expect(state.get('api-0')?.object['status']).toEqual({ phase: 'Failed' });
    expect(state.get('api-2')?.object['status']).toEqual({ phase: 'Pending' });
    // Unchanged objects were not handed on again by the re-list.
    const api5 = sink.changes.filter((c) => c.object.metadata?.name === 'api-5');
    expect(api5).toHaveLength(1);
    const api1 = sink.changes.filter((c) => c.object.metadata?.name === 'api-1').map((c) => c.type);
    expect(api1).toEqual(['ADDED', 'DELETED']);
    expect(informer.snapshot().objects).toBe(10);
  });

  it('marks a forbidden resource and keeps asking, without touching other resources', async () => {
    const server = await startServer();
    server.forbid('secrets');
    server.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' } });
    server.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { password: 'aHVudGVyMg==' },
    });
    const secretSink = new RecordingSink();
    const deploySink = new RecordingSink();
    const secretInformer = startInformer(server, secrets, secretSink);
    const deployInformer = startInformer(server, deployments, deploySink);
    await until('forbidden', () => secretInformer.snapshot().state === 'forbidden');
    expect(secretInformer.snapshot().error).toMatch(/forbidden/);
    await until('deployments synced', () => deployInformer.snapshot().state === 'synced');
    expect(deploySink.changes).toHaveLength(1);

    server.allow('secrets');
    await until('secrets synced once allowed', () => secretInformer.snapshot().state === 'synced');
    expect(secretSink.changes).toHaveLength(1);
    expect(secretSink.changes[0]?.object['data']).toEqual({ password: '[redacted]' });
    expect(secretInformer.snapshot().error).toBeUndefined();
  });

  it('drops a watch it cannot keep up with and recovers the current state by listing', async () => {
    const server = await startServer();
    server.apply(pod('api-0'));
    const sink = new RecordingSink();
    const informer = startInformer(server, pods, sink, { ...OPTIONS, chunkSize: 5, maxPending: 20 });
    await until('synced', () => informer.snapshot().state === 'synced' && sink.changes.length === 1);
    await until('watching', () => server.watchCount() === 1);
    sink.hold();
    for (let i = 0; i < 60; i++) server.apply(pod('api-0', { status: { phase: 'Running', n: i } }));
    await until('fell behind and dropped the watch', () => server.watchCount() === 0);
    sink.release();
    await until(
      're-listed',
      () => informer.snapshot().relists === 1 && informer.snapshot().state === 'synced',
    );
    await until('the last state is handed on', () => {
      const s = sink.state().get('api-0')?.object['status'] as { n?: number } | undefined;
      return s?.n === 59;
    });
  });

  it('backs off and recovers when the API server is unreachable for a while', async () => {
    const server = await startServer();
    server.apply(pod('api-0'));
    const sink = new RecordingSink();
    const kc = kubeConfigFor(server.url.replace(/:\d+$/, ':1')); // nothing listens on port 1
    const informer = new Informer(new KubeApi(kc), pods, sink.sink, OPTIONS);
    const abort = new AbortController();
    const done = informer.run(abort.signal);
    await until('failing', () => informer.snapshot().state === 'failing');
    expect(informer.snapshot().error).toMatch(/:1/);
    abort.abort();
    await done;
    expect(informer.snapshot().state).toBe('stopped');
  });

  it('fails with 401 on a wrong token and says so', async () => {
    const server = await startServer();
    const sink = new RecordingSink();
    const informer = new Informer(new KubeApi(kubeConfigFor(server.url, 'wrong')), pods, sink.sink, OPTIONS);
    const abort = new AbortController();
    const done = informer.run(abort.signal);
    await until('failing', () => informer.snapshot().state === 'failing');
    expect(informer.snapshot().error).toMatch(/nauthorized/);
    abort.abort();
    await done;
  });
});
