import { beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  eventRecords,
  flatLogs,
  podRecords,
  text,
  watchRecords,
  type FlatLog,
} from '../testing/captured-signals';
import { livePods } from '../testing/fault-signals';
import { runFaultScenario, type FaultScenario } from '../testing/scenario';

const target = { cluster: 'prod-us', namespace: 'shop', workload: 'catalog-api' };
const reasons = (logs: readonly FlatLog[], reason: string): FlatLog[] =>
  eventRecords(logs).filter(
    (e) => e.resource['k8s.cluster.name'] === target.cluster && e.attributes['k8s.event.reason'] === reason,
  );

describe('disk_pressure', () => {
  let s: FaultScenario;
  let node: string;
  beforeAll(async () => {
    s = await runFaultScenario({ kind: 'disk_pressure', target, durationSeconds: 180 });
    node = / node (\S+):/.exec(s.fault.description)?.[1] ?? '';
  });

  it('reports DiskPressure on the node with its taint', () => {
    expect(node).toMatch(/^ip-/);
    const logs = flatLogs(s.during);
    const nodes = watchRecords(logs).filter(
      (w) => w.plural === 'nodes' && at(w.object, 'metadata', 'name') === node,
    );
    const last = nodes[nodes.length - 1]!;
    expect(JSON.stringify(at(last.object, 'status', 'conditions'))).toContain(
      '"type":"DiskPressure","status":"True","reason":"KubeletHasDiskPressure"',
    );
    expect(JSON.stringify(at(last.object, 'spec', 'taints'))).toContain(
      '"key":"node.kubernetes.io/disk-pressure","effect":"NoSchedule"',
    );
    expect(reasons(logs, 'EvictionThresholdMet').map((e) => text(e.body))).toContain(
      'Attempting to reclaim ephemeral-storage',
    );
    expect(reasons(logs, 'FreeDiskSpaceFailed')).toHaveLength(1);
  });

  it('evicts the workload’s pod there (Failed, Evicted) and recreates it on another node', () => {
    const logs = flatLogs(s.during);
    const evicted = reasons(logs, 'Evicted');
    expect(evicted.length).toBeGreaterThan(0);
    expect(text(evicted[0]!.body)).toMatch(
      /^The node was low on resource: ephemeral-storage\. .*Container catalog-api was using \d+Ki/,
    );
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    const failed = pods.filter((p) => at(p.object, 'status', 'phase') === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(at(failed[0]!.object, 'status', 'reason')).toBe('Evicted');
    const replacements = livePods(pods).filter((p) => at(p.object, 'status', 'phase') === 'Running');
    expect(replacements.length).toBe(
      failed.length > 0 ? new Set(failed.map((p) => at(p.object, 'metadata', 'uid'))).size : 0,
    );
    expect(replacements.every((p) => at(p.object, 'spec', 'nodeName') !== node)).toBe(true);
    expect(replacements.every((p) => at(p.object, 'status', 'containerStatuses', 0, 'ready') === true)).toBe(
      true,
    );
  });

  it('clears the pressure and cleans up the Failed pods at the end', () => {
    const logs = flatLogs(s.after);
    expect(reasons(logs, 'NodeHasNoDiskPressure')).toHaveLength(1);
    const pods = podRecords(watchRecords(logs), target.cluster, target.workload);
    expect(pods.some((p) => p.type === 'DELETED' && at(p.object, 'status', 'phase') === 'Failed')).toBe(true);
    const late = eventRecords(logs).filter(
      (e) => e.timeMs > s.fault.endMs + 10_000 && e.severityText === 'Warning',
    );
    expect(late).toEqual([]);
  });
});
