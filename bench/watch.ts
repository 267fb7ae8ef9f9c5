/**
 * Taking in a cluster through the Kubernetes collector: a `sleuth serve` process watches an
 * in-memory Kubernetes API server holding 5,000 pods with their Deployments, ReplicaSets, Services,
 * EndpointSlices, ConfigMaps, nodes, namespaces and one event per pod. Measured: the time until
 * every object and event is stored (list + watch through @kubernetes/client-node, the pipeline,
 * SQLite), the server's memory, and the rate at which it takes in a change to every pod afterwards.
 * Floor, same run, same objects: listing them all over HTTP (no processing) plus writing the same
 * requests through the pipeline straight into a SqliteStore.
 *
 *   npm run bench -- watch [--pods 5000] [--per-deployment 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, emptyBatch } from '@sleuth/core';
import {
  EVENT_RESOURCES,
  KubeApi,
  OBJECT_RESOURCES,
  objectChangesRequest,
  type ObjectChange,
} from '@sleuth/kubernetes';
import { ingestOtlp } from '@sleuth/pipeline';
import { KubeApiServer, type KubeObject } from '@sleuth/simulator';
import { SqliteStore } from '@sleuth/store';
import { exited, spawnSleuth } from '../test/support/process';
import { flags, recordInDocs, round } from './support';

const CLUSTER = 'bench';
const TOKEN = 'bench-token-0123456789';

interface Cluster {
  objects: KubeObject[];
  events: KubeObject[];
  pods: KubeObject[];
}

/** A cluster shaped like a busy production one: many small Deployments over 20 namespaces. */
function buildCluster(pods: number, perDeployment: number): Cluster {
  const objects: KubeObject[] = [];
  const events: KubeObject[] = [];
  const podList: KubeObject[] = [];
  const now = new Date().toISOString();
  const namespaces = Array.from({ length: 20 }, (_, i) => `team-${i}`);
  for (const ns of namespaces) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const nodes = Array.from({ length: 50 }, (_, i) => `node-${i}`);
  for (const n of nodes) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n,
        labels: { 'kubernetes.io/hostname': n, 'topology.kubernetes.io/zone': `z${n.length % 3}` },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '16', memory: '64Gi' } },
    });
  }
  const deployments = Math.ceil(pods / perDeployment);
  for (let d = 0; d < deployments; d++) {
    const ns = namespaces[d % namespaces.length] ?? 'default';
    const app = `svc-${d}`;
    const hash = (0x5f00 + d).toString(16);
    const labels = { app, 'app.kubernetes.io/part-of': `product-${d % 7}` };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: ns, uid: `dep-${d}`, labels },
      spec: {
        replicas: perDeployment,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: `registry/${app}:1.0.${d}` }] },
        },
      },
      status: { replicas: perDeployment, readyReplicas: perDeployment, availableReplicas: perDeployment },
    });
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${app}-${hash}`,
        namespace: ns,
        uid: `rs-${d}`,
        labels: { ...labels, 'pod-template-hash': hash },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: `dep-${d}`, controller: true },
        ],
      },
      spec: { replicas: perDeployment, selector: { matchLabels: { app, 'pod-template-hash': hash } } },
      status: { replicas: perDeployment, readyReplicas: perDeployment },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${app}-config`, namespace: ns },
      data: { 'app.yaml': `name: ${app}\nreplicas: ${perDeployment}\n` },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: ns, labels },
      spec: {
        selector: { app },
        ports: [{ port: 80, targetPort: 8080 }],
        clusterIP: `10.96.${d >> 8}.${d & 255}`,
      },
    });
    const endpoints: unknown[] = [];
    for (let p = 0; p < perDeployment && d * perDeployment + p < pods; p++) {
      const i = d * perDeployment + p;
      const name = `${app}-${hash}-${p.toString(36).padStart(5, 'x')}`;
      const node = nodes[i % nodes.length] ?? 'node-0';
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          uid: `pod-${i}`,
          labels: { ...labels, 'pod-template-hash': hash },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `${app}-${hash}`,
              uid: `rs-${d}`,
              controller: true,
            },
          ],
        },
        spec: {
          nodeName: node,
          containers: [
            {
              name: 'app',
              image: `registry/${app}:1.0.${d}`,
              envFrom: [{ configMapRef: { name: `${app}-config` } }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            },
          ],
        },
        status: {
          phase: 'Running',
          podIP: `10.244.${i >> 8}.${i & 255}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            {
              name: 'app',
              ready: true,
              restartCount: 0,
              containerID: `containerd://${i}`,
              state: { running: { startedAt: now } },
            },
          ],
        },
      };
      objects.push(pod);
      podList.push(pod);
      endpoints.push({
        addresses: [`10.244.${i >> 8}.${i & 255}`],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', name, namespace: ns, uid: `pod-${i}` },
      });
      events.push({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: `${name}.scheduled`, namespace: ns, uid: `ev-${i}` },
        regarding: { apiVersion: 'v1', kind: 'Pod', name, namespace: ns, uid: `pod-${i}` },
        reason: 'Scheduled',
        note: `Successfully assigned ${ns}/${name} to ${node}`,
        type: 'Normal',
        eventTime: now,
        reportingController: 'default-scheduler',
        reportingInstance: 'default-scheduler-1',
        action: 'Binding',
      });
    }
    objects.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${app}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': app } },
      addressType: 'IPv4',
      endpoints,
      ports: [{ port: 8080 }],
    });
  }
  return { objects, events, pods: podList };
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kubeconfigFile(dir: string, url: string): string {
  const file = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${CLUSTER}`,
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: bench',
      '  user:',
      `    token: ${TOKEN}`,
      'contexts:',
      `- name: ${CLUSTER}`,
      '  context:',
      `    cluster: ${CLUSTER}`,
      '    user: bench',
      `current-context: ${CLUSTER}`,
    ].join('\n'),
  );
  return file;
}

/** The floor: list everything over HTTP, then push the same requests through the pipeline into SQLite. */
async function floor(url: string, dir: string): Promise<{ listS: number; storeS: number }> {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: TOKEN }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  const api = new KubeApi(kc);
  const resources = [...OBJECT_RESOURCES, EVENT_RESOURCES.preferred];
  const lists: { resource: (typeof resources)[number]; items: ObjectChange[] }[] = [];
  const t0 = performance.now();
  for (const resource of resources) {
    const items: ObjectChange[] = [];
    let continueToken: string | undefined;
    do {
      const page = await api.list(resource, { limit: 500, continueToken });
      for (const o of page.items) {
        items.push({ type: 'ADDED', object: { ...o, kind: resource.kind }, observedMs: Date.now() });
      }
      continueToken = page.continueToken;
    } while (continueToken);
    lists.push({ resource, items });
  }
  const listS = (performance.now() - t0) / 1000;
  // As the server opens it (serve.ts): default synchronous level, writes on their own thread.
  const store = new SqliteStore({
    path: join(dir, 'floor.db'),
    synchronous: 'normal',
    logger: createLogger('silent'),
    writeThread: true,
  });
  await store.start();
  const t1 = performance.now();
  for (const { resource, items } of lists) {
    for (let i = 0; i < items.length; i += 500) {
      const request = objectChangesRequest(CLUSTER, resource, items.slice(i, i + 500));
      const { batch } = ingestOtlp('logs', 'json', Buffer.from(JSON.stringify(request)), {
        defaultCluster: 'default',
        redact: true,
        receivedMs: Date.now(),
      });
      await store.writeBatch({ ...emptyBatch(), ...batch });
    }
  }
  const storeS = (performance.now() - t1) / 1000;
  await store.stop();
  return { listS, storeS };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const podCount = Number(f['pods'] ?? 5000);
  const perDeployment = Number(f['per-deployment'] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-bench-watch-'));
  const cluster = buildCluster(podCount, perDeployment);
  const kube = await KubeApiServer.start({ token: TOKEN });
  for (const o of cluster.objects) kube.apply(o);
  for (const e of cluster.events) kube.apply(e);
  process.stdout.write(
    `cluster: ${cluster.pods.length} pods, ${cluster.objects.length} objects, ${cluster.events.length} events\n`,
  );

  // Idle server memory, for comparison.
  const idle = await spawnSleuth([
    'serve',
    '--port',
    '0',
    '--data-dir',
    join(dir, 'idle'),
    '--simulator',
    'off',
  ]);
  await new Promise((r) => setTimeout(r, 2000));
  const idleMem = memoryMiB(idle.child.pid ?? 0);
  await exited(idle.child, 'SIGTERM');

  process.env['SLEUTH_KUBERNETES_MODE'] = 'on';
  process.env['SLEUTH_KUBERNETES_KUBECONFIG'] = kubeconfigFile(dir, kube.url);
  process.env['SLEUTH_KUBERNETES_LOGS_ENABLED'] = 'false';
  process.env['SLEUTH_KUBERNETES_USAGE_ENABLED'] = 'false';
  const t0 = performance.now();
  const server = await spawnSleuth([
    'serve',
    '--port',
    '0',
    '--data-dir',
    join(dir, 'data'),
    '--simulator',
    'off',
  ]);
  const tListen = performance.now();
  let result: Record<string, unknown>;
  try {
    type Status = { store: { counts: { objects: number; events: number } } };
    await until('everything stored', async () => {
      const s = await json<Status>(`${server.url}/api/v1/status`);
      return s.store.counts.objects >= cluster.objects.length &&
        s.store.counts.events >= cluster.events.length
        ? s
        : undefined;
    });
    const takeInS = (performance.now() - t0) / 1000;
    // The collector starts once the server listens: its own share of the time.
    const collectorS = (performance.now() - tListen) / 1000;
    type Clusters = { clusters: { name: string; collector?: { state: string } }[] };
    await until('collector synced', async () => {
      const c = await json<Clusters>(`${server.url}/api/v1/clusters`);
      return c.clusters.find((x) => x.name === CLUSTER)?.collector?.state === 'ok' ? true : undefined;
    });
    const afterSync = memoryMiB(server.child.pid ?? 0);

    // The dependency graph of the whole cluster: built from the store on first use, then cached.
    const tTopo = performance.now();
    const blast = await json<{ total: number }>(
      `${server.url}/api/v1/topology/blast-radius?cluster=${CLUSTER}&kind=Node&name=node-0`,
    );
    const topologyBuildMs = performance.now() - tTopo;
    const tCached = performance.now();
    await json(`${server.url}/api/v1/topology/blast-radius?cluster=${CLUSTER}&kind=Node&name=node-1`);
    const topologyCachedMs = performance.now() - tCached;

    // Every pod changes once (a readiness flip), as in a rollout or a node problem.
    const t1 = performance.now();
    for (const p of cluster.pods) {
      const status = p['status'] as { conditions: { type: string; status: string }[] };
      kube.apply({ ...p, status: { ...status, conditions: [{ type: 'Ready', status: 'False' }] } });
    }
    const last = cluster.pods[cluster.pods.length - 1]!;
    await until('the last change stored', async () => {
      const o = await json<{ object: { status?: { conditions?: { status: string }[] } } }>(
        `${server.url}/api/v1/objects/${CLUSTER}/${last.metadata.namespace}/Pod/${last.metadata.name}`,
      );
      return o.object.status?.conditions?.[0]?.status === 'False' ? true : undefined;
    });
    const changeS = (performance.now() - t1) / 1000;
    const afterChanges = memoryMiB(server.child.pid ?? 0);
    await exited(server.child, 'SIGTERM');

    const fl = await floor(kube.url, dir);
    const floorS = fl.listS + fl.storeS;
    const records = cluster.objects.length + cluster.events.length;
    result = {
      pods: cluster.pods.length,
      objects: cluster.objects.length,
      events: cluster.events.length,
      take_in_s: round(takeInS, 2),
      take_in_after_listen_s: round(collectorS, 2),
      take_in_records_per_s: Math.round(records / collectorS),
      changes_per_s: Math.round(cluster.pods.length / changeS),
      topology_build_ms: Math.round(topologyBuildMs),
      topology_cached_query_ms: round(topologyCachedMs, 1),
      blast_radius_of_a_node: blast.total,
      server_rss_idle_mib: round(idleMem.rss),
      server_rss_after_sync_mib: round(afterSync.rss),
      server_rss_peak_mib: round(afterChanges.peak),
      floor_list_s: round(fl.listS, 2),
      floor_pipeline_store_s: round(fl.storeS, 2),
      take_in_vs_floor: round(collectorS / floorS, 2),
    };
  } finally {
    if (server.child.exitCode === null) await exited(server.child, 'SIGKILL');
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const r = result;
  const body = `Taking in a cluster of ${String(r['pods'])} pods (${String(r['objects'])} objects: namespaces, nodes, Deployments, ReplicaSets, Services, EndpointSlices, ConfigMaps, pods; ${String(r['events'])} events) with \`sleuth serve\` watching an in-memory Kubernetes API server through @kubernetes/client-node (container logs and usage off). Time from process start until every object and event is stored; then a change to every pod.

| figure | value |
| --- | --- |
| take-in time, process start → all stored | ${String(r['take_in_s'])} s |
| take-in time, listening (collector start) → all stored | ${String(r['take_in_after_listen_s'])} s |
| take-in rate (objects + events, from collector start) | ${String(r['take_in_records_per_s'])} records/s |
| one change to each pod, taken in | ${String(r['changes_per_s'])} changes/s |
| topology: blast radius of a node, graph built from the store | ${String(r['topology_build_ms'])} ms (${String(r['blast_radius_of_a_node'])} resources affected) |
| topology: the next query (graph cached) | ${String(r['topology_cached_query_ms'])} ms |
| server RSS idle / after sync / peak | ${String(r['server_rss_idle_mib'])} / ${String(r['server_rss_after_sync_mib'])} / ${String(r['server_rss_peak_mib'])} MiB |
| floor: list everything over HTTP | ${String(r['floor_list_s'])} s |
| floor: same requests through the pipeline into SQLite | ${String(r['floor_pipeline_store_s'])} s |
| collector take-in ÷ (list + pipeline/store floor) | ${String(r['take_in_vs_floor'])} |

The floor does the same work minus watching, diffing, status and the in-process hop, in one
process with nothing else running; the collector's list and the store writes overlap in the server.`;
  process.stdout.write(`${body}\n`);
  recordInDocs('watch', `npm run bench -- watch${args.length ? ` ${args.join(' ')}` : ''}`, body);
  return r;
}
