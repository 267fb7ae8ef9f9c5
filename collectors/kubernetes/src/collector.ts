import type { KubeConfig } from '@kubernetes/client-node';
import type { Component, Logger } from '@sleuth/core';
import type { JsonObject } from '@sleuth/pipeline';
import { Informer, type InformerOptions, type InformerStatus, type ObjectChange } from './informer';
import { KubeApi } from './kube-api';
import { DEFAULT_POD_LOG_OPTIONS, PodLogs, type PodLogOptions, type PodLogStatus } from './pod-logs';
import { podInfo, type PodInfo } from './pods';
import { DEFAULT_USAGE_OPTIONS, ResourceUsage, type UsageOptions, type UsageStatus } from './usage';
import { objectChangesRequest } from './records';
import { EVENT_RESOURCES, OBJECT_RESOURCES, type WatchedResource } from './resources';

/**
 * Where the collector's OTLP requests (JSON) go: in the server, straight into the ingest pipeline;
 * in an agent, over HTTP to the server. `send` resolves once the request was accepted (durably),
 * retrying on its own while the receiver is overloaded; it rejects when it gave up or `signal` aborted.
 */
export interface OtlpSender {
  send(signal: 'logs' | 'metrics', request: JsonObject, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface KubernetesCollectorOptions {
  /** The cluster's name in Sleuth (k8s.cluster.name of everything collected). */
  cluster: string;
  kubeConfig: KubeConfig;
  sender: OtlpSender;
  logger: Logger;
  /** The object kinds to watch; default every kind Sleuth keeps. Events are always watched. */
  resources?: readonly WatchedResource[];
  informer?: Partial<InformerOptions>;
  /** Container log collection (needs the pods resource); `false` turns it off. */
  logs?: Partial<PodLogOptions> | false;
  /** Resource usage from metrics.k8s.io when the cluster serves it; `false` turns it off. */
  usage?: Partial<UsageOptions> | false;
}

/** How the collector of one cluster is doing, at /api/v1/clusters. */
export interface CollectorStatus {
  cluster: string;
  server: string;
  /**
   * `ok`: every resource synced; `degraded`: some are forbidden, unavailable or failing while others
   * work; `failing`: none is synced; `starting`: still listing.
   */
  state: 'starting' | 'ok' | 'degraded' | 'failing' | 'stopped';
  startedMs?: number;
  resources: InformerStatus[];
  logs: PodLogStatus;
  usage: UsageStatus;
}

const USAGE_OFF: UsageStatus = { state: 'off', pods: 0, nodes: 0 };
const LOGS_OFF: PodLogStatus = {
  state: 'off',
  following: 0,
  waiting: 0,
  lines: 0,
  terminatedLogs: 0,
  failures: 0,
};

export const DEFAULT_INFORMER_OPTIONS: InformerOptions = {
  pageSize: 500,
  chunkSize: 500,
  maxPending: 20_000,
  watchTimeoutSeconds: 300,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  deniedRetryMs: 300_000,
};

/**
 * Watches one cluster: an informer per kind (objects and events), each sending its changes through
 * the sender as they come. A kind the service account may not list, or that the cluster does not
 * serve, is reported and skipped; the others run on.
 */
export class KubernetesCollector implements Component {
  private readonly api: KubeApi;
  private informers: Informer[] = [];
  private abort: AbortController | undefined;
  private running: Promise<unknown> | undefined;
  private startedMs: number | undefined;
  private readonly log: Logger;
  private readonly podLogs: PodLogs | undefined;
  private readonly usage: ResourceUsage | undefined;
  /** The pods seen, by `namespace/name`, for the usage's owner attributes. */
  private readonly pods = new Map<string, PodInfo>();

  constructor(private readonly opts: KubernetesCollectorOptions) {
    this.api = new KubeApi(opts.kubeConfig);
    this.log = opts.logger.child({ component: 'kubernetes-collector', cluster: opts.cluster });
    if (opts.logs !== false) {
      this.podLogs = new PodLogs(
        this.api,
        opts.cluster,
        opts.sender,
        { ...DEFAULT_POD_LOG_OPTIONS, ...opts.logs },
        this.log.child({ component: 'pod-logs' }),
      );
    }
    if (opts.usage !== false) {
      this.usage = new ResourceUsage(
        this.api,
        opts.cluster,
        opts.sender,
        (namespace, name) => this.pods.get(`${namespace}/${name}`),
        { ...DEFAULT_USAGE_OPTIONS, ...opts.usage },
        this.log.child({ component: 'resource-usage' }),
      );
    }
  }

  /** Starts watching; returns at once (the lists run in the background, see status()). */
  async start(): Promise<void> {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    this.startedMs = Date.now();
    const informerOptions = { ...DEFAULT_INFORMER_OPTIONS, ...this.opts.informer };
    const events = await this.eventResource(abort.signal);
    const resources = [...(this.opts.resources ?? OBJECT_RESOURCES), events];
    this.informers = resources.map(
      (r) => new Informer(this.api, r, (changes) => this.send(r, changes, abort.signal), informerOptions),
    );
    this.log.info({ server: this.api.server, resources: resources.length }, 'watching the cluster');
    const runs: Promise<unknown>[] = this.informers.map((i) => i.run(abort.signal));
    if (this.podLogs) runs.push(this.podLogs.run(abort.signal));
    if (this.usage) runs.push(this.usage.run(abort.signal));
    this.running = Promise.all(runs);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = undefined;
  }

  status(): CollectorStatus {
    const resources = this.informers.map((i) => i.snapshot());
    const synced = resources.filter((r) => r.state === 'synced').length;
    const logs = this.podLogs?.snapshot() ?? LOGS_OFF;
    const usage = this.usage?.snapshot() ?? USAGE_OFF;
    const denied = logs.state === 'forbidden' || usage.state === 'forbidden';
    let state: CollectorStatus['state'];
    if (this.abort?.signal.aborted) state = 'stopped';
    else if (
      resources.length === 0 ||
      resources.some((r) => r.state === 'syncing' && r.lastListMs === undefined)
    )
      state = 'starting';
    else if (synced === resources.length) state = denied ? 'degraded' : 'ok';
    else if (synced > 0) state = 'degraded';
    else state = 'failing';
    const status: CollectorStatus = {
      cluster: this.opts.cluster,
      server: this.api.server,
      state,
      resources,
      logs,
      usage,
    };
    if (this.startedMs !== undefined) status.startedMs = this.startedMs;
    return status;
  }

  /** events.k8s.io/v1 where served, else core/v1; asked once at start (core/v1 if discovery fails). */
  private async eventResource(signal: AbortSignal): Promise<WatchedResource> {
    const { preferred, fallback } = EVENT_RESOURCES;
    try {
      if (await this.api.serves(preferred.group, preferred.version, signal)) return preferred;
      this.log.info('events.k8s.io/v1 is not served: watching core/v1 events');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'API discovery failed: watching core/v1 events');
    }
    return fallback;
  }

  private async send(resource: WatchedResource, changes: ObjectChange[], signal: AbortSignal): Promise<void> {
    if (resource.plural === 'pods' && resource.group === '') {
      for (const c of changes) {
        const pod = podInfo(c.object);
        if (!pod) continue;
        if (c.type === 'DELETED') this.pods.delete(`${pod.namespace}/${pod.name}`);
        else this.pods.set(`${pod.namespace}/${pod.name}`, pod);
      }
      this.podLogs?.observe(changes);
    }
    await this.opts.sender.send('logs', objectChangesRequest(this.opts.cluster, resource, changes), {
      signal,
    });
  }
}
