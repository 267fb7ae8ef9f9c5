import type { ClusterRuntime } from '../model/runtime';
import type { WorkloadState } from '../model/state';
import { renderNetworkPolicy } from '../k8s/render-network-policy';
import type { FaultBehavior } from './fault-behavior';

/** The workloads that call `w`, in call-graph order. */
function callersOf(rt: ClusterRuntime, w: WorkloadState): WorkloadState[] {
  return rt.state.workloads.filter((c) =>
    c.spec.endpoints.some((e) => e.calls.some((call) => call.service === w.spec.name)),
  );
}

/**
 * The policy admits every calling namespace but the first caller's, so that caller (and any
 * other in its namespace) is cut off while the rest keep working.
 */
function plan(rt: ClusterRuntime, w: WorkloadState): { blocked: WorkloadState[]; allowed: string[] } {
  const callers = callersOf(rt, w);
  const cut = callers[0]?.spec.namespace;
  const allowed = [...new Set(callers.map((c) => c.spec.namespace))].filter((ns) => ns !== cut);
  return { blocked: callers.filter((c) => c.spec.namespace === cut), allowed };
}

const policyName = (w: WorkloadState, allowed: string[]): string =>
  `${w.spec.name}-allow-${allowed.length ? allowed.join('-') : 'none'}`;

/**
 * network_policy_block: a NetworkPolicy selecting the target's pods admits ingress on its port
 * only from some calling namespaces, leaving out the first caller's. The target stays healthy
 * and its other callers are fine, but every connection from the cut-off caller times out (packets
 * dropped): connect-timeout errors in its logs (ETIMEDOUT, i/o timeout, SocketTimeoutException,
 * "timeout expired", nginx "upstream timed out ... 504"), failed client spans lasting the whole
 * timeout, 5xx and much slower requests up its call graph. At the end the policy is deleted.
 */
export const networkPolicyBlock: FaultBehavior = {
  unsupported: (w) =>
    w.spec.component === 'database' || w.spec.component === 'cache' || w.spec.component === 'api'
      ? undefined
      : `network_policy_block cuts a caller off from a dependency it calls; nothing calls ${w.spec.name} (role: ${w.spec.component}) through the call graph`,
  describe: (w, rt) => {
    const { blocked, allowed } = plan(rt, w);
    const who = blocked.map((c) => `${c.spec.name} (${c.spec.namespace})`).join(', ') || 'no caller';
    return `NetworkPolicy ${policyName(w, allowed)} admits ingress to ${w.spec.name} only from ${allowed.join(', ') || 'no namespace'}; connections from ${who} time out.`;
  },
  begin(rt, w, atMs) {
    const { allowed } = plan(rt, w);
    w.ingressPolicy = {
      name: policyName(w, allowed),
      uid: rt.rng.uuid(),
      createdMs: atMs,
      allowedNamespaces: allowed,
    };
    rt.watch.observe('networkpolicies', renderNetworkPolicy(w, w.ingressPolicy), atMs);
  },
  end(rt, w, atMs) {
    const policy = w.ingressPolicy;
    if (!policy) return;
    w.ingressPolicy = undefined;
    rt.watch.delete('networkpolicies', renderNetworkPolicy(w, policy), atMs);
  },
};
