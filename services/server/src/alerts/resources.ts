import { refKey, type ResourceRef } from '@sleuth/core';
import type { TopologyGraph } from '@sleuth/analyze';
import type { Store } from '@sleuth/store';

/** Namespaced kinds an alert label can name, in the order the most specific wins. */
const NAMESPACED_LABELS: readonly [label: string, kind: string][] = [
  ['pod', 'Pod'],
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['replicaset', 'ReplicaSet'],
  ['job_name', 'Job'],
  ['cronjob', 'CronJob'],
  ['persistentvolumeclaim', 'PersistentVolumeClaim'],
  ['horizontalpodautoscaler', 'HorizontalPodAutoscaler'],
  ['ingress', 'Ingress'],
  ['service', 'Service'],
];

const IP_CACHE_MS = 60_000;

/** Where one cluster's pods and nodes are reachable: IP or host name → the object. */
interface AddressIndex {
  builtMs: number;
  byAddress: Map<string, ResourceRef>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Maps an alert's labels to the Kubernetes objects they name, through the cluster's topology:
 * `pod`, `deployment`, `statefulset`, `daemonset`, `replicaset`, `job_name` (kube-state-metrics'
 * Job label), `cronjob`, `persistentvolumeclaim`, `horizontalpodautoscaler`, `ingress`, `service`
 * (with `namespace`; without one, a name that exists in one namespace only), `node`, `instance`
 * (host:port: a node by name or address, or a pod by IP), and `job` (a Prometheus scrape job is
 * often named after its Service or workload: used when nothing else matched). Objects found in
 * the topology come first, most specific first; when none is found, what the labels name is
 * returned as it is named, so the incident still says what the alert is about.
 */
export class AlertResourceResolver {
  private readonly addresses = new Map<string, AddressIndex>();

  constructor(
    private readonly store: Store,
    private readonly graph: (cluster: string) => Promise<TopologyGraph | undefined>,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(cluster: string, labels: Readonly<Record<string, string>>): Promise<ResourceRef[]> {
    const graph = await this.graph(cluster).catch(() => undefined);
    const known = (ref: ResourceRef): boolean => {
      const n = graph?.node(refKey(ref));
      return n !== undefined && n.missing !== true;
    };
    const ns = str(labels.namespace);
    const named: ResourceRef[] = [];
    const found: ResourceRef[] = [];
    const add = (ref: ResourceRef, confirmed: boolean) => {
      const list = confirmed ? found : named;
      if (!list.some((r) => refKey(r) === refKey(ref))) list.push(ref);
    };
    const byName = (kind: string, name: string): ResourceRef | undefined => {
      if (ns !== undefined) return { cluster, namespace: ns, kind, name };
      // No namespace label: the object of that kind and name, when exactly one namespace has one.
      const matches = (graph?.allNodes() ?? []).filter(
        (n) => n.ref.kind === kind && n.ref.name === name && n.missing !== true,
      );
      return matches.length === 1 ? matches[0]?.ref : undefined;
    };
    for (const [label, kind] of NAMESPACED_LABELS) {
      const name = str(labels[label]);
      if (name === undefined) continue;
      const ref = byName(kind, name);
      if (ref) add(ref, known(ref));
    }
    const node = str(labels.node);
    if (node !== undefined) {
      const ref: ResourceRef = { cluster, kind: 'Node', name: node };
      add(ref, known(ref));
    }
    const instance = str(labels.instance);
    if (instance !== undefined) {
      const host = instance.replace(/^\[?([^\]]*?)\]?(:\d+)?$/, '$1');
      const byAddr = (await this.addressIndex(cluster)).get(host);
      if (byAddr) add(byAddr, known(byAddr));
      else {
        const asNode: ResourceRef = { cluster, kind: 'Node', name: host };
        if (known(asNode)) add(asNode, true);
      }
    }
    const job = str(labels.job);
    if (job !== undefined && found.length === 0) {
      for (const kind of ['Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job']) {
        const ref = byName(kind, job);
        if (ref && known(ref)) {
          add(ref, true);
          break;
        }
      }
    }
    return (found.length > 0 ? found : named).slice(0, 20);
  }

  /** Pods by IP and nodes by address, from the stored objects; rebuilt once a minute at most. */
  private async addressIndex(cluster: string): Promise<Map<string, ResourceRef>> {
    const cached = this.addresses.get(cluster);
    if (cached && this.now() - cached.builtMs < IP_CACHE_MS) return cached.byAddress;
    const byAddress = new Map<string, ResourceRef>();
    for (const kind of ['Node', 'Pod']) {
      const objects = await this.store.listObjects({ cluster, kind, limit: 5000 }).catch(() => []);
      for (const o of objects) {
        const status = (o.object as { status?: Record<string, unknown> }).status ?? {};
        const ref: ResourceRef = {
          cluster,
          ...(o.ref.namespace ? { namespace: o.ref.namespace } : {}),
          kind: o.ref.kind,
          name: o.ref.name,
        };
        if (kind === 'Node') {
          byAddress.set(o.ref.name, ref);
          for (const a of (status.addresses as { address?: unknown }[] | undefined) ?? []) {
            const addr = str(a.address);
            if (addr) byAddress.set(addr, ref);
          }
        } else {
          // Host-network pods share their node's IP: the node keeps the address.
          const ip = str(status.podIP);
          if (ip && !byAddress.has(ip)) byAddress.set(ip, ref);
        }
      }
    }
    this.addresses.set(cluster, { builtMs: this.now(), byAddress });
    if (this.addresses.size > 100) this.addresses.delete(this.addresses.keys().next().value ?? '');
    return byAddress;
  }
}
