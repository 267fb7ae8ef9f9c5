import type { KubeConfig } from '@kubernetes/client-node';
import type { Component, Logger } from '@sleuth/core';
import { KubernetesCollector, type CollectorStatus } from '../collector';
import type { InformerOptions } from '../informer';
import type { PodLogOptions } from '../pod-logs';
import type { UsageOptions } from '../usage';
import { Shipper, type ShipperStatus } from './shipper';
import { Spool, type SpoolStats } from './spool';

export interface AgentOptions {
  /** The cluster this agent runs in, as the server knows it (its token is for this cluster). */
  cluster: string;
  kubeConfig: KubeConfig;
  /** The Sleuth server's base URL. */
  server: string;
  token: string;
  spoolDir: string;
  spoolMaxBytes: number;
  logger: Logger;
  version: string;
  logs?: Partial<PodLogOptions> | false;
  usage?: Partial<UsageOptions> | false;
  informer?: Partial<InformerOptions>;
  /** How often the agent reports its status to the server. */
  statusIntervalMs?: number;
  requestTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface AgentStatus {
  agent: string;
  cluster: string;
  collector: CollectorStatus;
  spool: SpoolStats;
  shipper: ShipperStatus;
}

/**
 * `sleuth agent`: the Kubernetes collector running inside a cluster, its requests written to an
 * on-disk spool and shipped to the server with the cluster's token. The server being away for a
 * while costs nothing but spool space; when the spool is full the collector waits.
 */
export class Agent implements Component {
  private abort: AbortController | undefined;
  private running: Promise<unknown> | undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly opts: AgentOptions,
    private readonly spool: Spool,
    private readonly collector: KubernetesCollector,
    private readonly shipper: Shipper,
    private readonly log: Logger,
  ) {}

  /** Opens the spool (taking up what a previous run left) and builds the agent; `start` runs it. */
  static async create(opts: AgentOptions): Promise<Agent> {
    const log = opts.logger.child({ component: 'agent', cluster: opts.cluster });
    const spool = await Spool.open(opts.spoolDir, opts.spoolMaxBytes);
    const collector = new KubernetesCollector({
      cluster: opts.cluster,
      kubeConfig: opts.kubeConfig,
      sender: spool,
      logger: opts.logger,
      ...(opts.logs === undefined ? {} : { logs: opts.logs }),
      ...(opts.usage === undefined ? {} : { usage: opts.usage }),
      ...(opts.informer === undefined ? {} : { informer: opts.informer }),
    });
    const shipper = new Shipper(
      spool,
      {
        server: opts.server,
        token: opts.token,
        timeoutMs: opts.requestTimeoutMs ?? 30_000,
        backoffBaseMs: opts.backoffBaseMs ?? 1_000,
        backoffMaxMs: opts.backoffMaxMs ?? 30_000,
      },
      log,
    );
    return new Agent(opts, spool, collector, shipper, log);
  }

  get id(): string {
    return this.spool.agentId;
  }

  async start(): Promise<void> {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    const waiting = this.spool.stats();
    this.log.info(
      { server: this.opts.server, agent: this.id, spooled: waiting.requests },
      'agent starting: watching the cluster, shipping to the server',
    );
    this.running = this.shipper.run(abort.signal);
    await this.collector.start();
    const every = this.opts.statusIntervalMs ?? 15_000;
    const report = (): void => {
      void this.report(abort.signal).finally(() => {
        if (!abort.signal.aborted) this.statusTimer = setTimeout(report, every);
      });
    };
    this.statusTimer = setTimeout(report, Math.min(every, 1_000));
  }

  async stop(): Promise<void> {
    clearTimeout(this.statusTimer);
    await this.collector.stop();
    this.abort?.abort();
    await this.running;
  }

  status(): AgentStatus {
    return {
      agent: this.id,
      cluster: this.opts.cluster,
      collector: this.collector.status(),
      spool: this.spool.stats(),
      shipper: this.shipper.status(),
    };
  }

  /** Tells the server how the agent is doing (shown at /api/v1/clusters); failures are retried next time. */
  private async report(signal: AbortSignal): Promise<void> {
    const { collector, spool, shipper } = this.status();
    try {
      const res = await fetch(`${this.opts.server.replace(/\/$/, '')}/v1/agent/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.token}` },
        body: JSON.stringify({ agent: this.id, version: this.opts.version, collector, spool, shipper }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
      });
      if (res.status !== 204) this.log.debug({ status: res.status }, 'status report refused');
    } catch (err) {
      if (!signal.aborted) this.log.debug({ err: (err as Error).message }, 'status report failed');
    }
  }
}
