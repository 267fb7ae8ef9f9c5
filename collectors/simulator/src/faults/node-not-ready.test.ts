import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  eventRecords,
  flatLogs,
  flatPoints,
  flatSpans,
  podRecords,
  text,
  watchRecords,
  type FlatLog,
  type WatchRecord,
} from '../testing/captured-signals';
import { livePods } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-eu', namespace: 'shop', workload: 'checkout-api' };

const nodeRecords = (logs: readonly FlatLog[], name: string): WatchRecord[] =>
  watchRecords(logs).filter(
    (w) => w.cluster === target.cluster && w.plural === 'nodes' && at(w.object, 'metadata', 'name') === name,
  );
const reasons = (logs: readonly FlatLog[], reason: string): FlatLog[] =>
  eventRecords(logs).filter(
    (e) => e.resource['k8s.cluster.name'] === target.cluster && e.attributes['k8s.event.reason'] === reason,
  );

describe('node_not_ready', () => {
  let s: FaultScenario;
  let node: string;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'node_not_ready', target, durationSeconds: 480 });
    node = /^Node (\S+) /.exec(s.fault.description)?.[1] ?? '';
  });

  it('says which node fails', () => {
    expect(node).toMatch(/^ip-/);
  });

  it('marks the node NotReady after the grace period, with the unreachable taints', () => {
    const logs = flatLogs(s.during);
    const nodes = nodeRecords(logs, node);
    const last = nodes[nodes.length - 1]!;
    expect(JSON.stringify(at(last.object, 'status', 'conditions'))).toContain(
      '"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown","message":"Kubelet stopped posting node status."',
    );
    const taints = JSON.stringify(at(last.object, 'spec', 'taints'));
    expect(taints).toContain('"key":"node.kubernetes.io/unreachable","effect":"NoExecute"');
    const notReady = reasons(logs, 'NodeNotReady');
    expect(text(notReady[0]!.body)).toBe(`Node ${node} status is now: NodeNotReady`);
    expect(notReady[0]!.timeMs - s.fault.startMs).toBeGreaterThanOrEqual(40_000);
    expect(notReady.some((e) => text(e.body) === 'Node is not ready')).toBe(true);
    const unknown = flatPoints(s.during).filter(
      (p) =>
        p.name === 'kube_node_status_condition' &&
        p.resource['k8s.node.name'] === node &&
        p.attributes['status'] === 'unknown' &&
        p.value === 1,
    );
    expect(unknown.length).toBeGreaterThan(0);
  });

  it('stops everything on the node at once', () => {
    const late = flatPoints(s.during).filter(
      (p) =>
        p.resource['k8s.node.name'] === node &&
        (p.name === 'node_load1' || p.name === 'container_cpu_usage_seconds_total') &&
        p.timeMs > s.fault.startMs + 10_000,
    );
    expect(late).toEqual([]);
  });

  it('makes callers time out on the dead pods until they leave the endpoints', () => {
    const timedOut = flatSpans(s.during).filter(
      (sp) =>
        sp.resource['k8s.cluster.name'] === target.cluster &&
        sp.resource['service.name'] === 'storefront' &&
        sp.attributes['http.response.status_code'] === 504,
    );
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.every((sp) => sp.startMs < s.fault.startMs + 50_000)).toBe(true);
  });

  it('evicts the pods after the toleration and recreates them elsewhere', () => {
    const logs = flatLogs(s.during);
    const evictions = reasons(logs, 'TaintManagerEviction');
    expect(evictions.length).toBeGreaterThan(0);
    expect(evictions[0]!.timeMs - s.fault.startMs).toBeGreaterThanOrEqual(340_000);
    expect(text(evictions[0]!.body)).toMatch(/^Marking for deletion Pod \S+\/\S+$/);
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    const terminating = pods.filter(
      (p) =>
        at(p.object, 'spec', 'nodeName') === node &&
        at(p.object, 'metadata', 'deletionTimestamp') !== undefined,
    );
    expect(terminating.length).toBeGreaterThan(0);
    const replacements = pods.filter((p) => p.type === 'ADDED' && at(p.object, 'spec', 'nodeName') !== node);
    expect(replacements.length).toBeGreaterThan(0);
  });

  it('recovers: the node is Ready again and the Terminating pods are gone', () => {
    const logs = flatLogs(s.after);
    expect(reasons(logs, 'NodeReady').map((e) => text(e.body))).toContain(
      `Node ${node} status is now: NodeReady`,
    );
    const nodes = nodeRecords(logs, node);
    expect(at(nodes[nodes.length - 1]!.object, 'spec', 'taints')).toBeUndefined();
    const pods = livePods(
      podRecords(watchRecords([...flatLogs(s.during), ...logs]), target.cluster, target.workload),
    );
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => at(p.object, 'metadata', 'deletionTimestamp') === undefined)).toBe(true);
  });
});
