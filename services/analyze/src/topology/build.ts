import { refKey, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import type { ServiceCall, ServiceEndpoint } from '@sleuth/store';
import { TopologyGraph, type EdgeKind } from './graph';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A reference the pod starts without when its target is missing: not a CreateContainerConfigError. */
const optional = (ref: Json): string => (ref['optional'] === true ? ' (optional)' : '');

/** Kinds without a namespace: a reference to one never carries the referrer's namespace. */
const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole']);

/**
 * Builds one cluster's dependency graph from its collected objects (latest state, tombstones
 * excluded) and the service calls seen in its traces. Pure: the same input gives the same graph.
 */
export function buildTopology(
  cluster: string,
  objects: readonly ObjectSnapshot[],
  calls: readonly ServiceCall[] = [],
  builtMs = Date.now(),
): TopologyGraph {
  const g = new TopologyGraph(cluster, builtMs);
  const live = objects.filter((o) => !o.deleted && o.ref.cluster === cluster);

  const refOf = (kind: string, name: string, namespace: string | undefined): ResourceRef => {
    const ref: ResourceRef = { cluster, kind, name };
    if (namespace !== undefined && !CLUSTER_SCOPED.has(kind)) ref.namespace = namespace;
    return ref;
  };
  /** The key of a referenced object, adding a `missing` placeholder when it was not collected. */
  const target = (kind: string, name: string, namespace: string | undefined): string => {
    const ref = refOf(kind, name, namespace);
    const key = refKey(ref);
    if (!g.node(key)) g.addNode({ key, ref, missing: true });
    return key;
  };
  const edge = (from: string, to: string, kind: EdgeKind, evidence: string): void =>
    g.addEdge(from, to, kind, evidence);

  for (const o of live) g.addNode({ key: refKey(o.ref), ref: { ...o.ref } });

  // Pods by namespace and label, for Service selectors (intersect the smallest sets first).
  const podsByLabel = new Map<string, Map<string, Set<string>>>();
  const podsInNamespace = new Map<string, Set<string>>();
  for (const o of live) {
    if (o.ref.kind !== 'Pod' || o.ref.namespace === undefined) continue;
    const key = refKey(o.ref);
    const ns = o.ref.namespace;
    let byLabel = podsByLabel.get(ns);
    if (!byLabel) podsByLabel.set(ns, (byLabel = new Map<string, Set<string>>()));
    for (const [k, v] of Object.entries(obj(obj(o.object['metadata'])['labels']))) {
      const label = `${k}=${String(v)}`;
      let set = byLabel.get(label);
      if (!set) byLabel.set(label, (set = new Set()));
      set.add(key);
    }
    let all = podsInNamespace.get(ns);
    if (!all) podsInNamespace.set(ns, (all = new Set()));
    all.add(key);
  }
  const selectPods = (ns: string, selector: Json): string[] => {
    const byLabel = podsByLabel.get(ns);
    const labels = Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`);
    if (!byLabel || labels.length === 0) return [];
    const sets = labels.map((l) => byLabel.get(l) ?? new Set<string>()).sort((a, b) => a.size - b.size);
    const [first, ...rest] = sets;
    return [...(first ?? [])].filter((k) => rest.every((s) => s.has(k)));
  };

  for (const o of live) {
    const key = refKey(o.ref);
    const ns = o.ref.namespace;
    const md = obj(o.object['metadata']);
    const spec = obj(o.object['spec']);

    for (const owner of arr(md['ownerReferences'])) {
      const kind = str(owner['kind']);
      const name = str(owner['name']);
      if (kind && name)
        edge(
          target(kind, name, ns),
          key,
          'owns',
          `ownerReference${owner['controller'] === true ? ' (controller)' : ''}`,
        );
    }

    switch (o.ref.kind) {
      case 'Pod':
        podEdges(key, ns, spec);
        break;
      case 'PersistentVolumeClaim': {
        const pv = str(spec['volumeName']);
        if (pv) edge(key, target('PersistentVolume', pv, undefined), 'bound_to', `spec.volumeName ${pv}`);
        break;
      }
      case 'Service': {
        const selector = obj(spec['selector']);
        if (ns !== undefined && Object.keys(selector).length > 0) {
          const text = Object.entries(selector)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(',');
          for (const pod of selectPods(ns, selector)) edge(key, pod, 'selects', `selector ${text}`);
        }
        break;
      }
      case 'EndpointSlice': {
        const service = str(obj(md['labels'])['kubernetes.io/service-name']);
        if (!service) break;
        const svc = target('Service', service, ns);
        for (const ep of arr(o.object['endpoints'])) {
          const ref = obj(ep['targetRef']);
          const name = str(ref['name']);
          if (str(ref['kind']) !== 'Pod' || !name) continue;
          const ready = obj(ep['conditions'])['ready'];
          edge(
            svc,
            target('Pod', name, str(ref['namespace']) ?? ns),
            'endpoint',
            `EndpointSlice ${o.ref.name}${ready === false ? ' (not ready)' : ''}`,
          );
        }
        break;
      }
      case 'Ingress': {
        const backend = (b: Json, where: string): void => {
          const name = str(obj(b['service'])['name']) ?? str(b['serviceName']);
          if (name) edge(key, target('Service', name, ns), 'routes_to', where);
        };
        const def = obj(spec['defaultBackend'] ?? spec['backend']);
        if (Object.keys(def).length > 0) backend(def, 'default backend');
        for (const rule of arr(spec['rules'])) {
          const host = str(rule['host']) ?? '*';
          for (const p of arr(obj(rule['http'])['paths'])) {
            backend(obj(p['backend']), `${host}${str(p['path']) ?? '/'}`);
          }
        }
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const t = obj(spec['scaleTargetRef']);
        const kind = str(t['kind']);
        const name = str(t['name']);
        if (kind && name) {
          const n = (v: unknown, dflt: string): string => (typeof v === 'number' ? String(v) : dflt);
          const range = `${n(spec['minReplicas'], '1')}-${n(spec['maxReplicas'], '?')} replicas`;
          edge(target(kind, name, ns), key, 'scaled_by', `scaleTargetRef, ${range}`);
        }
        break;
      }
    }
  }

  function podEdges(pod: string, ns: string | undefined, spec: Json): void {
    const node = str(spec['nodeName']);
    if (node) edge(pod, target('Node', node, undefined), 'runs_on', `spec.nodeName ${node}`);
    for (const v of arr(spec['volumes'])) {
      const vol = str(v['name']) ?? '?';
      const claim = str(obj(v['persistentVolumeClaim'])['claimName']);
      if (claim) edge(pod, target('PersistentVolumeClaim', claim, ns), 'mounts', `volume ${vol}`);
      const cm = obj(v['configMap']);
      const cmName = str(cm['name']);
      if (cmName)
        edge(pod, target('ConfigMap', cmName, ns), 'uses_configmap', `volume ${vol}${optional(cm)}`);
      const secret = obj(v['secret']);
      const secretName = str(secret['secretName']);
      if (secretName)
        edge(pod, target('Secret', secretName, ns), 'uses_secret', `volume ${vol}${optional(secret)}`);
      for (const src of arr(obj(v['projected'])['sources'])) {
        const pcm = obj(src['configMap']);
        const pcmName = str(pcm['name']);
        if (pcmName)
          edge(
            pod,
            target('ConfigMap', pcmName, ns),
            'uses_configmap',
            `projected volume ${vol}${optional(pcm)}`,
          );
        const ps = obj(src['secret']);
        const psName = str(ps['name']);
        if (psName)
          edge(pod, target('Secret', psName, ns), 'uses_secret', `projected volume ${vol}${optional(ps)}`);
      }
    }
    for (const c of [...arr(spec['initContainers']), ...arr(spec['containers'])]) {
      const cname = str(c['name']) ?? '?';
      for (const e of arr(c['env'])) {
        const from = obj(e['valueFrom']);
        const where = `env ${String(e['name'])} (container ${cname})`;
        const cm = obj(from['configMapKeyRef']);
        const cmName = str(cm['name']);
        if (cmName) edge(pod, target('ConfigMap', cmName, ns), 'uses_configmap', `${where}${optional(cm)}`);
        const s = obj(from['secretKeyRef']);
        const sName = str(s['name']);
        if (sName) edge(pod, target('Secret', sName, ns), 'uses_secret', `${where}${optional(s)}`);
      }
      for (const e of arr(c['envFrom'])) {
        const where = `envFrom (container ${cname})`;
        const cm = obj(e['configMapRef']);
        const cmName = str(cm['name']);
        if (cmName) edge(pod, target('ConfigMap', cmName, ns), 'uses_configmap', `${where}${optional(cm)}`);
        const s = obj(e['secretRef']);
        const sName = str(s['name']);
        if (sName) edge(pod, target('Secret', sName, ns), 'uses_secret', `${where}${optional(s)}`);
      }
    }
    for (const s of arr(spec['imagePullSecrets'])) {
      const name = str(s['name']);
      if (name) edge(pod, target('Secret', name, ns), 'uses_secret', 'imagePullSecrets');
    }
  }

  // Service calls: a service.name is the Kubernetes Service of that name in its namespace when
  // there is one, else the workload of that name, else a node known only from traces.
  const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet'];
  const serviceNode = (e: ServiceEndpoint): string => {
    if (e.namespace !== undefined) {
      for (const kind of ['Service', ...workloadKinds]) {
        const key = refKey(refOf(kind, e.service, e.namespace));
        const n = g.node(key);
        if (n && !n.missing) return key;
      }
    }
    const ref = refOf('Service', e.service, e.namespace);
    const key = refKey(ref);
    if (!g.node(key)) g.addNode({ key, ref, observed: true });
    return key;
  };
  for (const c of calls) {
    if (c.from.cluster !== cluster || c.to.cluster !== cluster) continue;
    g.addEdge(
      serviceNode(c.from),
      serviceNode(c.to),
      'calls',
      `${c.calls} calls, ${c.errors} errors, mean ${Math.round(c.meanDurationMs * 10) / 10} ms (traces)`,
      { count: c.calls, errors: c.errors, meanDurationMs: c.meanDurationMs },
    );
  }
  return g;
}
