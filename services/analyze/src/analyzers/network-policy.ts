import { refKey, type Evidence, type ObjectSnapshot, type ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext, Neighbour } from './analyzer';
import type { Finding } from './finding';
import { matchesSelector, selectorText } from './label-selector';
import { at, controllerOf, fieldEvidence, list, nsFlag, rec, sibling, stringMap } from './object-fields';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Ingress rules admit callers `from` peers; egress rules admit callees `to` peers. */
interface Direction {
  type: 'Ingress' | 'Egress';
  rules: 'ingress' | 'egress';
  peers: 'from' | 'to';
}
const DIRECTIONS: readonly Direction[] = [
  { type: 'Ingress', rules: 'ingress', peers: 'from' },
  { type: 'Egress', rules: 'egress', peers: 'to' },
];

/**
 * NetworkPolicies that select no pod (a selector typo leaves the pods unprotected), and policies
 * that deny a call seen in traces: a topology `calls` edge into (ingress) or out of (egress) the
 * selected pods' Service or workload whose other side no rule of that direction admits. ipBlock
 * peers and ports are not evaluated; a rule with one is taken to admit the call, so a reported
 * denial is a real one.
 */
export const networkPolicyAnalyzer: Analyzer = {
  id: 'network-policy',
  kinds: ['NetworkPolicy'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const np = await ctx.object(ref);
    if (!np) return [];
    const podSelector = at(np.object, 'spec.podSelector');
    const selected = (await ctx.objects(ref.cluster, 'Pod', ref.namespace)).filter((p) =>
      matchesSelector(stringMap(at(p.object, 'metadata.labels')), podSelector),
    );
    const commands = [`kubectl describe networkpolicy ${ref.name}${nsFlag(ref)}`];
    if (selected.length === 0) {
      return [
        {
          analyzer: 'network-policy',
          resource: ref,
          failureMode: 'selects-no-pods',
          title: `NetworkPolicy ${ref.name} selects no pods (podSelector ${selectorText(podSelector)})`,
          explanation: `No pod in namespace ${ref.namespace ?? '?'} matches the policy's podSelector, so it protects nothing; if it was meant to restrict traffic to a workload, that workload is open.`,
          evidence: [fieldEvidence(np, 'spec.podSelector', `podSelector ${selectorText(podSelector)}`)],
          confidence: 0.7,
          remediation: {
            steps: ['Make the podSelector match the labels of the pods it should protect.'],
            commands: [...commands, `kubectl get pods --show-labels${nsFlag(ref)}`],
          },
        },
      ];
    }
    const raw = at(np.object, 'spec.policyTypes');
    const egressRules = at(np.object, 'spec.egress') !== undefined;
    const policyTypes = Array.isArray(raw)
      ? raw.filter((t) => typeof t === 'string')
      : ['Ingress', ...(egressRules ? ['Egress'] : [])];
    const out: Finding[] = [];
    for (const direction of DIRECTIONS)
      if (policyTypes.includes(direction.type))
        out.push(...(await deniedCalls(np, selected, ctx, commands, direction)));
    return out;
  },
};

async function deniedCalls(
  np: ObjectSnapshot,
  selected: ObjectSnapshot[],
  ctx: AnalysisContext,
  commands: string[],
  direction: Direction,
): Promise<Finding[]> {
  // The selected pods' Services and workloads: what traces name as a caller or callee.
  const targets = new Map<string, ResourceRef>();
  for (const pod of selected) {
    for (const n of (await ctx.neighbours(pod.ref)).dependents)
      if (n.kind === 'selects') targets.set(refKey(n.ref), n.ref);
    let owner = controllerOf(pod.object);
    if (owner?.kind === 'ReplicaSet') {
      const rs = await ctx.object(sibling(pod.ref, 'ReplicaSet', owner.name));
      owner = rs ? controllerOf(rs.object) : undefined;
    }
    if (owner && WORKLOADS.has(owner.kind)) {
      const r = sibling(pod.ref, owner.kind, owner.name);
      targets.set(refKey(r), r);
    }
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const local of targets.values()) {
    const edges = await ctx.neighbours(local);
    // Ingress: who calls the selected pods; egress: whom they call.
    for (const remote of direction.type === 'Ingress' ? edges.dependents : edges.dependsOn) {
      if (remote.kind !== 'calls' || seen.has(refKey(remote.ref))) continue;
      const peer = await peerPods(remote, ctx);
      if (!peer || (await admitted(np, peer, ctx, direction))) continue;
      seen.add(refKey(remote.ref));
      out.push(denial(np, local, remote, commands, direction));
    }
  }
  return out;
}

/** The other side's namespace and pod labels (its Service's selected pods, or its workload's template). */
async function peerPods(
  call: Neighbour,
  ctx: AnalysisContext,
): Promise<{ namespace: string; labels: Record<string, string>[] } | undefined> {
  const ns = call.ref.namespace;
  if (ns === undefined || call.missing) return undefined;
  if (call.ref.kind === 'Service') {
    const pods = (await ctx.neighbours(call.ref)).dependsOn.filter((n) => n.kind === 'selects');
    const labels: Record<string, string>[] = [];
    for (const p of pods) {
      const snap = await ctx.object(p.ref);
      if (snap) labels.push(stringMap(at(snap.object, 'metadata.labels')));
    }
    return labels.length === 0 ? undefined : { namespace: ns, labels };
  }
  const w = await ctx.object(call.ref);
  if (!w) return undefined;
  return { namespace: ns, labels: [stringMap(at(w.object, 'spec.template.metadata.labels'))] };
}

/** Whether any rule of the policy in this direction admits every one of the peer's pods. */
async function admitted(
  np: ObjectSnapshot,
  caller: { namespace: string; labels: Record<string, string>[] },
  ctx: AnalysisContext,
  direction: Direction,
): Promise<boolean> {
  const nsSnap = await ctx.object({ cluster: np.ref.cluster, kind: 'Namespace', name: caller.namespace });
  const nsLabels = {
    'kubernetes.io/metadata.name': caller.namespace,
    ...stringMap(at(nsSnap?.object, 'metadata.labels')),
  };
  for (const rule of list(at(np.object, `spec.${direction.rules}`))) {
    const from = list(rule[direction.peers]);
    if (from.length === 0) return true;
    for (const peer of from) {
      if ('ipBlock' in peer) return true;
      const nsSel = peer['namespaceSelector'];
      const inNs =
        nsSel === undefined ? caller.namespace === np.ref.namespace : matchesSelector(nsLabels, nsSel);
      const podSel = peer['podSelector'];
      if (inNs && caller.labels.every((l) => podSel === undefined || matchesSelector(l, rec(podSel))))
        return true;
    }
  }
  return false;
}

function denial(
  np: ObjectSnapshot,
  local: ResourceRef,
  remote: Neighbour,
  commands: string[],
  d: Direction,
): Finding {
  const counts = remote.calls ? `${remote.calls.count} calls (${remote.calls.errors} errors)` : 'calls';
  const ingress = d.type === 'Ingress';
  const [caller, callee] = ingress ? [remote.ref, local] : [local, remote.ref];
  const otherNs = remote.ref.namespace !== np.ref.namespace;
  const evidence: Evidence[] = [
    fieldEvidence(
      np,
      `spec.${d.rules}`,
      `${d.rules} rules admit no pod of ${remote.ref.kind} ${remote.ref.name}`,
    ),
    {
      signal: { kind: 'object', ref: callee, timeMs: np.timeMs },
      summary: `${caller.name} → ${callee.name}: ${counts} seen in traces`,
    },
  ];
  return {
    analyzer: 'network-policy',
    resource: np.ref,
    failureMode: 'denies-observed-call',
    title: `NetworkPolicy ${np.ref.name} denies calls from ${caller.name} to ${callee.name}`,
    explanation: `Traces show ${caller.kind} ${caller.name} calling ${callee.kind} ${callee.name} (${counts}), but NetworkPolicy ${np.ref.name} selects ${local.name}'s pods and none of its ${d.rules} rules admits ${remote.ref.name}'s pods${otherNs ? ` ${ingress ? 'from' : 'in'} namespace ${remote.ref.namespace ?? '?'}` : ''}. Those connections are dropped (timeouts, not refusals).`,
    evidence,
    confidence: remote.calls && remote.calls.errors > 0 ? 0.8 : 0.65,
    remediation: {
      steps: [
        `Add an ${d.rules} rule admitting ${remote.ref.name}'s pods (a podSelector on their labels${otherNs ? ' with a namespaceSelector' : ''}), or confirm the call is meant to be blocked.`,
      ],
      commands,
    },
  };
}
