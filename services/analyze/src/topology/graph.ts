import type { ResourceRef } from '@sleuth/core';

/**
 * How two resources depend on each other. Every edge reads "from depends on to": when `to` fails,
 * `from` is affected.
 *
 * - `owns`: a controller and what it owns (Deployment → ReplicaSet → Pod, CronJob → Job → Pod,
 *   StatefulSet/DaemonSet → Pod): the owner is only as healthy as what it owns.
 * - `selects`: a Service and the pods its selector matches.
 * - `endpoint`: a Service and a pod listed in one of its EndpointSlices.
 * - `routes_to`: an Ingress and a Service one of its rules (or its default backend) sends to.
 * - `runs_on`: a Pod and its Node.
 * - `mounts`: a Pod and a PersistentVolumeClaim among its volumes.
 * - `bound_to`: a PersistentVolumeClaim and its PersistentVolume.
 * - `uses_configmap` / `uses_secret`: a Pod and a ConfigMap / Secret it reads (volume, projected
 *   volume, env valueFrom, envFrom, imagePullSecrets).
 * - `scaled_by`: a workload and the HorizontalPodAutoscaler whose scaleTargetRef it is.
 * - `calls`: a service and a service it calls, seen in traces (a span whose parent is the other's).
 */
export const EDGE_KINDS = [
  'owns',
  'selects',
  'endpoint',
  'routes_to',
  'runs_on',
  'mounts',
  'bound_to',
  'uses_configmap',
  'uses_secret',
  'scaled_by',
  'calls',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export interface TopologyNode {
  /** refKey of `ref`: `cluster/namespace/Kind/name` (`-` for no namespace). */
  key: string;
  ref: ResourceRef;
  /**
   * Referenced but not in the collected state: a pod naming a ConfigMap that does not exist
   * (CreateContainerConfigError), an owner that was deleted. A clue, not an error.
   */
  missing?: true;
  /** Known only from traces (a service.name with no Kubernetes object of that name). */
  observed?: true;
}

export interface TopologyEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Why the edge exists: the selector, the volume or env var, the rule, the call counts. */
  evidence: string[];
  /** For `calls`: counts over the window. */
  calls?: { count: number; errors: number; meanDurationMs: number };
}

/** A node reached from the start, how far, and the edge that led there. */
export interface Reached {
  node: TopologyNode;
  depth: number;
  via: TopologyEdge;
}

/** The dependency graph of one cluster's collected state. */
export class TopologyGraph {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly out = new Map<string, TopologyEdge[]>();
  private readonly in = new Map<string, TopologyEdge[]>();
  private readonly edgeIndex = new Map<string, TopologyEdge>();

  constructor(
    readonly cluster: string,
    readonly builtMs: number,
  ) {}

  addNode(node: TopologyNode): TopologyNode {
    const existing = this.nodes.get(node.key);
    if (existing) {
      // A real object replaces a placeholder made for a reference to it.
      if (existing.missing && !node.missing) {
        delete existing.missing;
        existing.ref = node.ref;
      }
      return existing;
    }
    this.nodes.set(node.key, node);
    return node;
  }

  /** Adds an edge (or more evidence to the same edge); both ends must have been added. */
  addEdge(from: string, to: string, kind: EdgeKind, evidence: string, calls?: TopologyEdge['calls']): void {
    if (from === to) return;
    const id = `${kind}|${from}|${to}`;
    const existing = this.edgeIndex.get(id);
    if (existing) {
      if (!existing.evidence.includes(evidence)) existing.evidence.push(evidence);
      return;
    }
    const edge: TopologyEdge = { from, to, kind, evidence: [evidence] };
    if (calls) edge.calls = calls;
    this.edgeIndex.set(id, edge);
    push(this.out, from, edge);
    push(this.in, to, edge);
  }

  node(key: string): TopologyNode | undefined {
    return this.nodes.get(key);
  }

  allNodes(): TopologyNode[] {
    return [...this.nodes.values()];
  }

  allEdges(): TopologyEdge[] {
    return [...this.edgeIndex.values()];
  }

  /** Edges from the node (what it depends on) and to it (what depends on it). */
  neighbours(key: string): { dependsOn: TopologyEdge[]; dependents: TopologyEdge[] } {
    return { dependsOn: [...(this.out.get(key) ?? [])], dependents: [...(this.in.get(key) ?? [])] };
  }

  /** Everything the node depends on, transitively, nearest first (at most `maxDepth` hops). */
  upstream(key: string, maxDepth: number): Reached[] {
    return this.walk(
      key,
      maxDepth,
      (k) => this.out.get(k) ?? [],
      (e) => e.to,
    );
  }

  /** Everything that depends on the node, transitively, nearest first (at most `maxDepth` hops). */
  downstream(key: string, maxDepth: number): Reached[] {
    return this.walk(
      key,
      maxDepth,
      (k) => this.in.get(k) ?? [],
      (e) => e.from,
    );
  }

  private walk(
    start: string,
    maxDepth: number,
    edges: (key: string) => TopologyEdge[],
    next: (e: TopologyEdge) => string,
  ): Reached[] {
    const seen = new Set([start]);
    const out: Reached[] = [];
    let frontier = [start];
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const following: string[] = [];
      for (const k of frontier) {
        for (const e of edges(k)) {
          const n = next(e);
          if (seen.has(n)) continue;
          seen.add(n);
          const node = this.nodes.get(n);
          if (!node) continue;
          out.push({ node, depth, via: e });
          following.push(n);
        }
      }
      frontier = following;
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
