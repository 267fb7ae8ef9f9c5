import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory Kubernetes API server: real HTTP, speaking the REST protocol closely enough that
 * @kubernetes/client-node works against it unchanged. The simulated fleet serves each of its
 * clusters through one, so that Sleuth's collector watches it exactly as it watches a real cluster;
 * tests and benchmarks drive the collector with it.
 *
 * Discovery (/api, /apis, group versions), lists with `limit`/`continue`, single GETs, and watches
 * (`watch=true`) with `resourceVersion`, `allowWatchBookmarks`, `timeoutSeconds`; a resourceVersion
 * older than the kept history answers a watch ERROR event with a 410 Status, as etcd compaction
 * does. Bearer-token authentication (401) and per-resource RBAC denial (403) as Status JSON.
 * Container logs through `pods/log` as the kubelet serves them (`container`, `follow`, `previous`,
 * `timestamps`, `tailLines`, `sinceTime`, `sinceSeconds`, `limitBytes`; a follow stream ends when
 * its container restarts or its pod goes). Read-only over HTTP: the cluster changes through
 * `apply`, `remove`, `appendLog` and `restartContainer`. Applying an object identical to the stored
 * one is a no-op, as on a real API server (no new resourceVersion, no watch event).
 *
 * Simplifications: a list's continue token remembers the list's resourceVersion (410 once
 * compacted away) but later pages show the current objects, not a pinned snapshot; the watch
 * history grows until `compact()`.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const r = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced = true,
): ResourceType => ({
  group,
  version,
  kind,
  plural,
  namespaced,
});

/** The kinds a cluster serves here: everything Sleuth watches, events in both APIs, metrics.k8s.io. */
export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  r('', 'v1', 'Namespace', 'namespaces', false),
  r('', 'v1', 'Node', 'nodes', false),
  r('', 'v1', 'Pod', 'pods'),
  r('', 'v1', 'Service', 'services'),
  r('', 'v1', 'ConfigMap', 'configmaps'),
  r('', 'v1', 'Secret', 'secrets'),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false),
  r('', 'v1', 'Event', 'events'),
  r('apps', 'v1', 'Deployment', 'deployments'),
  r('apps', 'v1', 'ReplicaSet', 'replicasets'),
  r('apps', 'v1', 'StatefulSet', 'statefulsets'),
  r('apps', 'v1', 'DaemonSet', 'daemonsets'),
  r('batch', 'v1', 'Job', 'jobs'),
  r('batch', 'v1', 'CronJob', 'cronjobs'),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  r('events.k8s.io', 'v1', 'Event', 'events'),
  // metrics-server's API (list only in practice; apply PodMetrics/NodeMetrics to set usage).
  r('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods'),
  r('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', false),
];

export interface KubeApiServerOptions {
  /** Required as `Authorization: Bearer <token>` when set. */
  token?: string;
  resources?: readonly ResourceType[];
  bookmarkIntervalMs?: number;
  /** Watch changes kept for resuming; older ones are compacted away (410 Gone). Default 100,000. */
  historyLimit?: number;
  /** Log lines kept per container instance (the kubelet rotates its files too). Default 10,000. */
  logLinesLimit?: number;
}

interface Change {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
}

interface LogLine {
  /** RFC3339 with nanoseconds, as the kubelet writes with `timestamps=true`. */
  ts: string;
  ms: number;
  text: string;
}

interface ContainerLogs {
  current: LogLine[];
  previous: LogLine[] | undefined;
  followers: Set<{ write(line: LogLine): void; end(): void }>;
}

interface Watcher {
  resource: string;
  namespace: string | undefined;
  res: ServerResponse;
  end(): void;
}

const apiVersionOf = (t: ResourceType): string => (t.group === '' ? t.version : `${t.group}/${t.version}`);
const resourceKey = (t: ResourceType): string => `${t.group}/${t.plural}`;
const objectKey = (resource: string, ns: string | undefined, name: string): string =>
  `${resource}|${ns ?? ''}|${name}`;

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class KubeApiServer {
  /** Every request seen, for assertions. */
  readonly requests: { method: string; path: string; query: Record<string, string> }[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private history: Change[] = [];
  private rv = 100;
  /** Oldest resourceVersion a watch may resume from. */
  private floor = 100;
  private readonly forbidden = new Set<string>();
  private readonly watchers = new Set<Watcher>();
  private readonly types: readonly ResourceType[];
  private readonly logs = new Map<string, ContainerLogs>();
  private logSeq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly opts: KubeApiServerOptions,
  ) {
    this.types = opts.resources ?? BUILTIN_RESOURCES;
  }

  static async start(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const ref: { self?: KubeApiServer } = {};
    const server = createServer((req, res) => ref.self?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const self = new KubeApiServer(server, `http://127.0.0.1:${port}`, opts);
    ref.self = self;
    return self;
  }

  /** Creates or replaces an object; it gets a uid, a creationTimestamp and the next resourceVersion. */
  apply(obj: KubeObject): KubeObject {
    const type = this.typeOf(obj.apiVersion, obj.kind);
    const key = objectKey(resourceKey(type), obj.metadata.namespace, obj.metadata.name);
    const prev = this.objects.get(key);
    const stored = structuredClone(obj);
    stored.metadata.uid ??= prev?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp ??= prev?.metadata.creationTimestamp ?? new Date().toISOString();
    if (prev) {
      // An update that changes nothing is a no-op: no new resourceVersion, no watch event.
      stored.metadata.resourceVersion = prev.metadata.resourceVersion;
      if (JSON.stringify(stored) === JSON.stringify(prev)) return structuredClone(prev);
    }
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, stored);
    this.record({
      rv: this.rv,
      type: prev ? 'MODIFIED' : 'ADDED',
      resource: resourceKey(type),
      object: stored,
    });
    return structuredClone(stored);
  }

  /** Deletes an object; watchers get DELETED with its last state at a new resourceVersion. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const type = this.typeOf(apiVersion, kind);
    const key = objectKey(resourceKey(type), namespace, name);
    const prev = this.objects.get(key);
    if (!prev) return false;
    this.objects.delete(key);
    const last = structuredClone(prev);
    last.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource: resourceKey(type), object: last });
    if (kind === 'Pod') {
      for (const [k, logs] of this.logs) {
        if (!k.startsWith(`${namespace ?? ''}/${name}/`)) continue;
        for (const f of [...logs.followers]) f.end();
        this.logs.delete(k);
      }
    }
    return true;
  }

  /**
   * A container writes lines (to its current instance), at `timeMs` (default now); followers of
   * its log get them at once.
   */
  appendLog(
    namespace: string,
    pod: string,
    container: string,
    lines: string | string[],
    timeMs?: number,
  ): void {
    const logs = this.containerLogs(namespace, pod, container);
    for (const text of Array.isArray(lines) ? lines : [lines]) {
      const ms = timeMs ?? Date.now();
      const nanos = String(this.logSeq++ % 1_000_000).padStart(6, '0');
      const line = { ts: new Date(ms).toISOString().replace('Z', `${nanos}Z`), ms, text };
      logs.current.push(line);
      if (logs.current.length > (this.opts.logLinesLimit ?? 10_000)) logs.current.shift();
      for (const f of logs.followers) f.write(line);
    }
  }

  /**
   * The container terminated and was started again: its log so far becomes the `previous=true`
   * log, the new instance starts empty, and open follow streams end (as the kubelet's do).
   */
  restartContainer(namespace: string, pod: string, container: string): void {
    const logs = this.containerLogs(namespace, pod, container);
    logs.previous = logs.current;
    logs.current = [];
    for (const f of [...logs.followers]) f.end();
  }

  /** Ends every pods/log follow stream without a restart, as an API server or kubelet restart does. */
  closeLogStreams(): void {
    for (const logs of this.logs.values()) for (const f of [...logs.followers]) f.end();
  }

  /** Follow streams open on pods/log now. */
  logFollowerCount(): number {
    let n = 0;
    for (const logs of this.logs.values()) n += logs.followers.size;
    return n;
  }

  /** Forgets the watch history, like etcd compaction: resuming from before now answers 410 Gone. */
  compact(): void {
    this.history = [];
    this.floor = this.rv;
  }

  /** Ends every open watch cleanly, as a server-side timeout does. */
  closeWatches(): void {
    for (const w of [...this.watchers]) w.end();
  }

  /** Answers 403 for this resource (`plural`, with its group) until `allow`. */
  forbid(plural: string, group = ''): void {
    this.forbidden.add(`${group}/${plural}`);
  }

  allow(plural: string, group = ''): void {
    this.forbidden.delete(`${group}/${plural}`);
  }

  watchCount(): number {
    return this.watchers.size;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    for (const logs of this.logs.values()) for (const f of [...logs.followers]) f.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private containerLogs(namespace: string, pod: string, container: string): ContainerLogs {
    const key = `${namespace}/${pod}/${container}`;
    let logs = this.logs.get(key);
    if (!logs) {
      logs = { current: [], previous: undefined, followers: new Set() };
      this.logs.set(key, logs);
    }
    return logs;
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const t = this.types.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!t) throw new Error(`the test API server does not serve ${apiVersion} ${kind}`);
    return t;
  }

  private record(change: Change): void {
    this.history.push(change);
    const limit = this.opts.historyLimit ?? 100_000;
    if (this.history.length > limit) {
      const dropped = this.history.splice(0, this.history.length - Math.floor(limit / 2));
      this.floor = dropped[dropped.length - 1]?.rv ?? this.floor;
    }
    for (const w of this.watchers) {
      if (w.resource !== change.resource) continue;
      if (w.namespace !== undefined && change.object.metadata.namespace !== w.namespace) continue;
      w.res.write(JSON.stringify({ type: change.type, object: change.object }) + '\n');
    }
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    if (this.opts.token !== undefined && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    if (req.method !== 'GET') {
      return this.send(
        res,
        405,
        status(405, 'MethodNotAllowed', 'the test API server is read-only over HTTP'),
      );
    }
    const parts = url.pathname.split('/').filter((p) => p !== '');
    // Discovery.
    if (parts.length === 1 && parts[0] === 'api')
      return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (parts.length === 1 && parts[0] === 'apis') return this.send(res, 200, this.groupList());
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else {
      return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const served = this.types.filter((t) => t.group === group && t.version === version);
    if (served.length === 0) {
      return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (rest.length === 0) {
      return this.send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group === '' ? version : `${group}/${version}`,
        resources: served.map((t) => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'list', 'watch'],
        })),
      });
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = served.find((t) => t.plural === rest[0]);
    const podLog = type?.plural === 'pods' && type.group === '' && rest.length === 3 && rest[2] === 'log';
    if (!type || (rest.length > 2 && !podLog)) {
      return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (
      this.forbidden.has(`${type.group}/${type.plural}`) ||
      (podLog && this.forbidden.has(`${type.group}/pods/log`))
    ) {
      const verb =
        rest.length >= 2 ? 'get' : query['watch'] === 'true' || query['watch'] === '1' ? 'watch' : 'list';
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      return this.send(
        res,
        403,
        status(
          403,
          'Forbidden',
          `${type.plural}${type.group === '' ? '' : `.${type.group}`} is forbidden: User "system:serviceaccount:sleuth:sleuth" cannot ${verb} resource "${type.plural}" in API group "${type.group}" ${scope}`,
        ),
      );
    }
    if (podLog) return this.podLog(namespace ?? '', rest[1] ?? '', query, req, res);
    if (rest.length === 2) {
      const obj = this.objects.get(objectKey(resourceKey(type), namespace, rest[1] ?? ''));
      if (!obj) return this.send(res, 404, status(404, 'NotFound', `${type.plural} "${rest[1]}" not found`));
      return this.send(res, 200, obj);
    }
    if (query['watch'] === 'true' || query['watch'] === '1')
      return this.watch(type, namespace, query, req, res);
    return this.list(type, namespace, query, res);
  }

  private podLog(
    namespace: string,
    name: string,
    query: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const pod = this.objects.get(objectKey('/pods', namespace, name));
    if (!pod) return this.send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
    const spec = (pod['spec'] ?? {}) as {
      containers?: { name: string }[];
      initContainers?: { name: string }[];
    };
    const names = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name);
    const container = query['container'] ?? (names.length === 1 ? names[0] : undefined);
    if (container === undefined) {
      return this.send(
        res,
        400,
        status(
          400,
          'BadRequest',
          `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
        ),
      );
    }
    if (!names.includes(container)) {
      return this.send(
        res,
        400,
        status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`),
      );
    }
    const logs = this.containerLogs(namespace, name, container);
    const previous = query['previous'] === 'true';
    if (previous && !logs.previous) {
      return this.send(
        res,
        400,
        status(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`),
      );
    }
    let lines = (previous ? logs.previous : logs.current) ?? [];
    let sinceMs = -Infinity;
    if (query['sinceTime']) sinceMs = Date.parse(query['sinceTime']);
    else if (query['sinceSeconds']) sinceMs = Date.now() - Number(query['sinceSeconds']) * 1000;
    if (Number.isNaN(sinceMs)) {
      return this.send(
        res,
        400,
        status(400, 'BadRequest', `sinceTime is not RFC3339: ${query['sinceTime']}`),
      );
    }
    lines = lines.filter((l) => l.ms >= sinceMs);
    const tail = query['tailLines'] === undefined ? -1 : Number(query['tailLines']);
    if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
    let budget = query['limitBytes'] === undefined ? Infinity : Number(query['limitBytes']);
    const timestamps = query['timestamps'] === 'true';
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const write = (l: LogLine): boolean => {
      const text = Buffer.from(`${timestamps ? `${l.ts} ` : ''}${l.text}\n`);
      const out = text.length > budget ? text.subarray(0, budget) : text;
      budget -= out.length;
      res.write(out);
      return budget > 0;
    };
    for (const l of lines) if (!write(l)) return void res.end();
    if (query['follow'] !== 'true' || previous) return void res.end();
    const follower = {
      write: (l: LogLine) => {
        if (l.ms >= sinceMs && !write(l)) follower.end();
      },
      end: () => {
        if (!logs.followers.delete(follower)) return;
        res.end();
      },
    };
    logs.followers.add(follower);
    req.on('close', () => follower.end());
  }

  private groupList() {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (t.group === '') continue;
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private matching(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const prefix = `${resourceKey(type)}|`;
    return [...this.objects]
      .filter(
        ([k, o]) => k.startsWith(prefix) && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  private list(
    type: ResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
    res: ServerResponse,
  ): void {
    let listRv = this.rv;
    let after = '';
    if (query['continue']) {
      let token: { rv: number; after: string };
      try {
        token = JSON.parse(Buffer.from(query['continue'], 'base64url').toString()) as {
          rv: number;
          after: string;
        };
      } catch {
        return this.send(res, 400, status(400, 'BadRequest', 'continue key is not valid'));
      }
      if (token.rv < this.floor) {
        return this.send(
          res,
          410,
          status(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result.',
          ),
        );
      }
      listRv = token.rv;
      after = token.after;
    }
    const all = this.matching(type, namespace).filter(
      // The same order as `matching` sorts in (its keys end in namespace|name).
      (o) => `${o.metadata.namespace ?? ''}|${o.metadata.name}` > after,
    );
    const limit = Number(query['limit'] ?? 0);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    const last = page[page.length - 1];
    if (limit > 0 && all.length > limit && last) {
      metadata['continue'] = Buffer.from(
        JSON.stringify({ rv: listRv, after: `${last.metadata.namespace ?? ''}|${last.metadata.name}` }),
      ).toString('base64url');
      metadata['remainingItemCount'] = all.length - limit;
    }
    // Like a real server, list items carry no apiVersion/kind of their own.
    const items = page.map((o) => {
      const copy: Record<string, unknown> = { ...o };
      delete copy['apiVersion'];
      delete copy['kind'];
      return copy;
    });
    this.send(res, 200, { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata, items });
  }

  private watch(
    type: ResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const fromRv = query['resourceVersion'] ?? '';
    const write = (type: string, object: unknown): void => {
      res.write(JSON.stringify({ type, object }) + '\n');
    };
    if (fromRv !== '' && fromRv !== '0' && Number(fromRv) < this.floor) {
      write('ERROR', status(410, 'Expired', `too old resource version: ${fromRv} (${this.floor})`));
      res.end();
      return;
    }
    if (fromRv === '' || fromRv === '0') {
      for (const o of this.matching(type, namespace)) write('ADDED', o);
    } else {
      for (const c of this.history) {
        if (c.rv <= Number(fromRv) || c.resource !== resourceKey(type)) continue;
        if (namespace !== undefined && c.object.metadata.namespace !== namespace) continue;
        write(c.type, c.object);
      }
    }
    const timers: NodeJS.Timeout[] = [];
    const watcher: Watcher = {
      resource: resourceKey(type),
      namespace,
      res,
      end: () => {
        if (!this.watchers.delete(watcher)) return;
        for (const t of timers) clearTimeout(t);
        res.end();
      },
    };
    this.watchers.add(watcher);
    if (query['allowWatchBookmarks'] === 'true') {
      timers.push(
        setInterval(() => {
          write('BOOKMARK', {
            kind: type.kind,
            apiVersion: apiVersionOf(type),
            metadata: { resourceVersion: String(this.rv) },
          });
        }, this.opts.bookmarkIntervalMs ?? 10_000),
      );
    }
    const timeout = Number(query['timeoutSeconds'] ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => watcher.end(), timeout * 1000));
    req.on('close', () => watcher.end());
  }
}
