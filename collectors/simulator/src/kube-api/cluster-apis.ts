import { randomBytes } from 'node:crypto';
import type { Logger } from '@sleuth/core';
import type { ApiChange } from '../model/outbox';
import { BUILTIN_RESOURCES, KubeApiServer } from './server';

/** Where a simulated cluster's Kubernetes API listens, and the token it wants. */
export interface ClusterApiEndpoint {
  cluster: string;
  url: string;
  token: string;
}

/**
 * The simulated clusters served as Kubernetes APIs, one in-memory API server each on 127.0.0.1:
 * every object change and Event of a tick is applied to its cluster's server, so Sleuth watches
 * the simulated fleet with the very collector it uses for real clusters. Events are core/v1 (the
 * servers do not serve events.k8s.io, so the collector falls back as on an old cluster); there is
 * no metrics.k8s.io (usage comes as metrics over OTLP, as from a Collector's kubeletstats).
 */
export class ClusterApis {
  private readonly failed = new Set<string>();

  private constructor(
    private readonly servers: Map<string, { server: KubeApiServer; token: string }>,
    private readonly logger: Logger | undefined,
  ) {}

  static async start(clusters: readonly string[], logger?: Logger): Promise<ClusterApis> {
    const resources = BUILTIN_RESOURCES.filter(
      (t) => t.group !== 'events.k8s.io' && t.group !== 'metrics.k8s.io',
    );
    const servers = new Map<string, { server: KubeApiServer; token: string }>();
    for (const cluster of clusters) {
      const token = randomBytes(24).toString('hex');
      servers.set(cluster, { server: await KubeApiServer.start({ token, resources }), token });
    }
    return new ClusterApis(servers, logger);
  }

  endpoints(): ClusterApiEndpoint[] {
    return [...this.servers].map(([cluster, { server, token }]) => ({ cluster, url: server.url, token }));
  }

  /** Applies one tick's changes of a cluster, in order. */
  apply(cluster: string, changes: readonly ApiChange[]): void {
    const entry = this.servers.get(cluster);
    if (!entry) return;
    for (const c of changes) {
      const o = c.object;
      try {
        if (c.type === 'DELETED')
          entry.server.remove(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
        else entry.server.apply(o);
      } catch (err) {
        // A kind the API server does not serve: reported once, the others go on.
        const key = `${o.apiVersion}/${o.kind}`;
        if (!this.failed.has(key)) {
          this.failed.add(key);
          this.logger?.warn(
            { kind: key, err: (err as Error).message },
            'simulated API server cannot hold this kind',
          );
        }
      }
    }
  }

  async stop(): Promise<void> {
    for (const { server } of this.servers.values()) await server.stop();
  }
}
