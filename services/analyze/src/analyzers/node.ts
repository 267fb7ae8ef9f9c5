import type { ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { at, clip, condition, eventEvidence, fieldEvidence, text } from './object-fields';

const PRESSURES: Record<string, string> = {
  MemoryPressure: 'memory',
  DiskPressure: 'disk',
  PIDPressure: 'process IDs',
};
/** Evictions older than this are history. */
const RECENT_MS = 60 * 60_000;

/**
 * Nodes that hurt their pods: NotReady (or Unknown: the kubelet stopped reporting), no pod network,
 * memory/disk/PID pressure, and the pods the kubelet evicted from it recently with its stated reason.
 */
export const nodeAnalyzer: Analyzer = {
  id: 'node',
  kinds: ['Node'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const node = await ctx.object(ref);
    if (!node) return [];
    const out: Finding[] = [];
    const base = { analyzer: 'node', resource: ref };
    const pods = (await ctx.objects(ref.cluster, 'Pod')).filter(
      (p) => at(p.object, 'spec.nodeName') === ref.name,
    );
    const commands = [
      `kubectl describe node ${ref.name}`,
      `kubectl get pods -A --field-selector spec.nodeName=${ref.name}`,
    ];

    const ready = condition(node.object, 'Ready');
    if (ready && ready['status'] !== 'True') {
      const unknown = ready['status'] === 'Unknown';
      out.push({
        ...base,
        failureMode: 'node-not-ready',
        title: `Node ${ref.name} is ${unknown ? 'not reporting (Ready=Unknown)' : 'NotReady'}`,
        explanation: `${unknown ? 'The kubelet on the node stopped posting status' : `The kubelet reports the node not ready (${text(ready['reason']) ?? '?'}: ${clip(text(ready['message']) ?? '', 300)})`} since ${text(ready['lastTransitionTime']) ?? 'an unknown time'}. Its ${pods.length} pod${pods.length === 1 ? '' : 's'} are unreachable and will be evicted after the toleration timeout.`,
        evidence: [
          fieldEvidence(
            node,
            'status.conditions[type=Ready]',
            `Ready=${String(ready['status'])} (${text(ready['reason']) ?? '?'})`,
          ),
        ],
        confidence: 0.9,
        remediation: {
          steps: [
            'Check the kubelet and container runtime on the node (and its network); drain and replace it if it does not recover.',
          ],
          commands,
        },
      });
    }
    const network = condition(node.object, 'NetworkUnavailable');
    if (network?.['status'] === 'True') {
      out.push({
        ...base,
        failureMode: 'node-network-unavailable',
        title: `Node ${ref.name} has no working pod network`,
        explanation: `The node reports NetworkUnavailable (${text(network['reason']) ?? '?'}: ${clip(text(network['message']) ?? '', 300)}): the network plugin has not configured its routes, so pods on it cannot reach or be reached by other pods.`,
        evidence: [
          fieldEvidence(node, 'status.conditions[type=NetworkUnavailable]', 'NetworkUnavailable=True'),
        ],
        confidence: 0.85,
        remediation: {
          steps: ['Check the CNI plugin pod (calico, cilium, flannel…) on this node and its logs.'],
          commands: [
            ...commands,
            `kubectl get pods -n kube-system -o wide --field-selector spec.nodeName=${ref.name}`,
          ],
        },
      });
    }
    for (const [type, resource] of Object.entries(PRESSURES)) {
      const c = condition(node.object, type);
      if (c?.['status'] !== 'True') continue;
      out.push({
        ...base,
        failureMode: 'node-pressure',
        title: `Node ${ref.name} is under ${resource} pressure`,
        explanation: `The kubelet reports ${type} (${clip(text(c['message']) ?? '', 300)}): it refuses new pods and evicts running ones, lowest priority and most over their requests first, until ${resource} is freed.`,
        evidence: [fieldEvidence(node, `status.conditions[type=${type}]`, `${type}=True`)],
        confidence: 0.85,
        remediation: {
          steps: [
            resource === 'memory'
              ? 'Find the pods using more memory than they request and set requests to their real usage; add capacity if the node is simply full.'
              : resource === 'disk'
                ? 'Free disk on the node (images, logs, emptyDir volumes) and set ephemeral-storage limits.'
                : 'Find the pod leaking processes or threads and set pod PID limits.',
          ],
          commands: [...commands, `kubectl top pods -A --sort-by=memory`],
        },
      });
    }
    const evicted = pods.filter((p) => at(p.object, 'status.reason') === 'Evicted');
    if (evicted.length > 0) {
      const events = (await ctx.events(ref, ctx.nowMs - RECENT_MS)).filter(
        (e) => e.reason === 'EvictionThresholdMet',
      );
      const first = evicted[0];
      const message = text(first ? at(first.object, 'status.message') : undefined) ?? '';
      out.push({
        ...base,
        failureMode: 'pods-evicted',
        title: `Node ${ref.name} evicted ${evicted.length} pod${evicted.length === 1 ? '' : 's'}`,
        explanation: `The kubelet evicted ${evicted
          .map((p) => p.ref.name)
          .slice(0, 5)
          .join(', ')} to reclaim resources. It said: "${clip(message, 500)}".`,
        evidence: [
          ...evicted
            .slice(0, 5)
            .map((p) =>
              fieldEvidence(
                p,
                'status.message',
                `evicted: ${clip(text(at(p.object, 'status.message')) ?? '', 200)}`,
              ),
            ),
          ...eventEvidence(events, 'EvictionThresholdMet on the node'),
        ],
        confidence: 0.85,
        remediation: {
          steps: [
            'Set requests to what the evicted pods really use so the scheduler does not overcommit the node; delete the Failed pods once understood.',
          ],
          commands,
        },
      });
    }
    return out;
  },
};
