import { describe, expect, it } from 'vitest';
import type { Anomaly, Incident, ResourceRef } from '@sleuth/core';
import { batchOf, MINUTE, snapshot, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const CART = { cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart', uid: 'u-cart' };

function anomaly(id: string, over: Partial<Anomaly> = {}): Anomaly {
  return {
    id,
    detector: 'restart-spike',
    resource: { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' },
    signal: {
      kind: 'series',
      name: 'kube_pod_container_status_restarts_total',
      labels: { pod: 'cart' },
      fromMs: T0,
      toMs: T0 + MINUTE,
    },
    onsetMs: T0,
    lastSeenMs: T0 + MINUTE,
    score: 0.8,
    title: 'cart restarts',
    explanation: 'restarts rose from 0 to 5 in a minute',
    ...over,
  };
}

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    title: 'cart is crash-looping',
    status: 'open',
    severity: 'high',
    startMs: T0,
    updatedMs: T0 + MINUTE,
    resources: [{ cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart' }],
    anomalyIds: ['anm_1'],
    rootCauses: [
      {
        id: 'rc1',
        failureMode: 'oom-killed',
        resource: { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' },
        hypothesis: 'memory limit too low',
        confidence: 0.7,
        rank: 1,
        evidence: [{ signal: { kind: 'log', ids: ['1'] }, summary: 'OOMKilled' }],
        origin: 'rules',
      },
    ],
    ...over,
  };
}

export function objectAnalysisContract(make: MakeStore): void {
  describe('Kubernetes objects', () => {
    const ref = useStore(make, 'each');

    it('keeps the latest state and a history of distinct versions, newest first', async () => {
      const v1 = snapshot({ timeMs: T0, resourceVersion: '100' });
      const v2 = snapshot({ timeMs: T0 + MINUTE, resourceVersion: '101', object: { spec: { replicas: 5 } } });
      const same = snapshot({
        timeMs: T0 + 2 * MINUTE,
        resourceVersion: '101',
        object: { spec: { replicas: 5 } },
      });
      await ref.store.writeBatch(batchOf({ objects: [v1] }));
      await ref.store.writeBatch(batchOf({ objects: [v2, same] }));
      expect(await ref.store.getObject(CART)).toEqual(v2);
      expect(await ref.store.objectHistory(CART, {})).toEqual([v2, v1]);
      expect(await ref.store.objectHistory(CART, { toMs: T0 + MINUTE })).toEqual([v1]);
      expect(await ref.store.objectHistory(CART, { limit: 1 })).toEqual([v2]);
      expect(await ref.store.getObject({ ...CART, name: 'ghost' })).toBeUndefined();
    });

    it('keeps a tombstone for a deleted object, listed only with includeDeleted', async () => {
      const live = snapshot({ timeMs: T0, resourceVersion: '5' });
      const gone = snapshot({ timeMs: T0 + MINUTE, resourceVersion: '6', deleted: true });
      await ref.store.writeBatch(batchOf({ objects: [live, gone] }));
      expect(await ref.store.getObject(CART)).toEqual(gone);
      expect(await ref.store.listObjects({})).toEqual([]);
      expect(await ref.store.listObjects({ includeDeleted: true })).toEqual([gone]);
      expect(await ref.store.objectHistory(CART, {})).toEqual([gone, live]);
    });

    it('lists objects by cluster, namespace, kind and name', async () => {
      const pod = snapshot({
        timeMs: T0,
        ref: { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-1' },
        apiVersion: 'v1',
      });
      const node = snapshot({
        timeMs: T0,
        ref: { cluster: 'prod-us', kind: 'Node', name: 'node-9' },
        apiVersion: 'v1',
      });
      const deploy = snapshot({ timeMs: T0 });
      await ref.store.writeBatch(batchOf({ objects: [pod, node, deploy] }));
      expect(await ref.store.listObjects({ kind: 'Pod' })).toEqual([pod]);
      expect(await ref.store.listObjects({ cluster: 'prod-us' })).toEqual([node]);
      expect(await ref.store.listObjects({ namespace: 'shop', name: 'cart' })).toEqual([deploy]);
      expect(await ref.store.listObjects({ limit: 2 })).toHaveLength(2);
    });

    it('pages through objects with the last one of a page as the cursor, none twice or left out', async () => {
      const pod = (namespace: string, name: string) =>
        snapshot({ timeMs: T0, ref: { cluster: 'prod-eu', namespace, kind: 'Pod', name }, apiVersion: 'v1' });
      const node = (name: string) =>
        snapshot({ timeMs: T0, ref: { cluster: 'prod-eu', kind: 'Node', name }, apiVersion: 'v1' });
      // Pods of two namespaces, nodes without one, and a pod of another cluster that no page holds.
      const all = [
        pod('shop', 'cart-2'),
        pod('batch', 'report-1'),
        node('node-b'),
        pod('shop', 'cart-1'),
        node('node-a'),
        pod('batch', 'report-2'),
        snapshot({ timeMs: T0, ref: { cluster: 'prod-us', namespace: 'shop', kind: 'Pod', name: 'x' } }),
      ];
      await ref.store.writeBatch(batchOf({ objects: all }));
      const seen: string[] = [];
      let after: ResourceRef | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await ref.store.listObjects({
          cluster: 'prod-eu',
          limit: 2,
          ...(after ? { after } : {}),
        });
        seen.push(...page.map((o) => `${o.ref.namespace ?? '-'}/${o.ref.kind}/${o.ref.name}`));
        if (page.length < 2) break;
        after = page[page.length - 1]?.ref;
      }
      expect(seen).toEqual([
        '-/Node/node-a',
        '-/Node/node-b',
        'batch/Pod/report-1',
        'batch/Pod/report-2',
        'shop/Pod/cart-1',
        'shop/Pod/cart-2',
      ]);
      const pods = await ref.store.listObjects({
        cluster: 'prod-eu',
        kind: 'Pod',
        after: { cluster: 'prod-eu', namespace: 'batch', kind: 'Pod', name: 'report-2' },
      });
      expect(pods.map((o) => o.ref.name)).toEqual(['cart-1', 'cart-2']);
    });
  });

  describe('anomalies and incidents', () => {
    const ref = useStore(make, 'each');

    it('stores anomalies, replaces them by id and filters them', async () => {
      const a = anomaly('anm_1');
      const b = anomaly('anm_2', {
        detector: 'error-rate',
        onsetMs: T0 + 2 * MINUTE,
        lastSeenMs: T0 + 3 * MINUTE,
        endMs: T0 + 3 * MINUTE,
      });
      const c = anomaly('anm_3', {
        resource: { cluster: 'prod-us', kind: 'Node', name: 'n1' },
        onsetMs: T0 + MINUTE,
      });
      await ref.store.putAnomalies([a, b, c]);
      expect(await ref.store.listAnomalies({})).toEqual([b, c, a]);
      const ended = { ...a, endMs: T0 + 2 * MINUTE, score: 0.9 };
      await ref.store.putAnomalies([ended]);
      const ids = async (q: Parameters<typeof ref.store.listAnomalies>[0]): Promise<string[]> =>
        (await ref.store.listAnomalies(q)).map((x) => x.id);
      expect((await ref.store.listAnomalies({ detector: 'restart-spike', cluster: 'prod-eu' }))[0]).toEqual(
        ended,
      );
      expect(await ids({ openOnly: true })).toEqual(['anm_3']);
      expect(await ids({ resource: c.resource })).toEqual(['anm_3']);
      expect(await ids({ namespace: 'shop' })).toEqual(['anm_2', 'anm_1']);
      expect(await ids({ fromMs: T0 + 150_000 })).toEqual(['anm_2']);
      expect(await ids({ toMs: T0 + MINUTE })).toEqual(['anm_1']);
    });

    it('stores incidents, replaces them by id and lists them newest first', async () => {
      const open = incident('inc_1');
      const resolved = incident('inc_2', {
        status: 'resolved',
        updatedMs: T0 + 5 * MINUTE,
        resolvedMs: T0 + 5 * MINUTE,
      });
      const elsewhere = incident('inc_3', {
        updatedMs: T0 + 2 * MINUTE,
        resources: [{ cluster: 'prod-us', kind: 'Node', name: 'n1' }],
      });
      for (const i of [open, resolved, elsewhere]) await ref.store.putIncident(i);
      expect(await ref.store.getIncident('inc_1')).toEqual(open);
      expect(await ref.store.getIncident('inc_404')).toBeUndefined();
      const ids = async (q: Parameters<typeof ref.store.listIncidents>[0]): Promise<string[]> =>
        (await ref.store.listIncidents(q)).map((x) => x.id);
      expect(await ids({})).toEqual(['inc_2', 'inc_3', 'inc_1']);
      expect(await ids({ status: 'open' })).toEqual(['inc_3', 'inc_1']);
      expect(await ids({ cluster: 'prod-us' })).toEqual(['inc_3']);
      expect(await ids({ fromMs: T0 + 6 * MINUTE })).toEqual(['inc_3', 'inc_1']);
      const updated = { ...open, title: 'cart OOM', updatedMs: T0 + 9 * MINUTE };
      await ref.store.putIncident(updated);
      expect(await ref.store.getIncident('inc_1')).toEqual(updated);
      expect(await ids({ limit: 1 })).toEqual(['inc_1']);
    });

    it('filters incidents by severity and place (resources or root causes), and pages by keyset', async () => {
      const pod = { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' };
      const all = [
        incident('inc_a', { updatedMs: T0 + 4 * MINUTE }),
        incident('inc_b', {
          updatedMs: T0 + 3 * MINUTE,
          severity: 'critical',
          resources: [{ cluster: 'prod-eu', namespace: 'pay', kind: 'Deployment', name: 'ledger' }],
          rootCauses: [],
        }),
        incident('inc_c', { updatedMs: T0 + 3 * MINUTE, severity: 'low', resources: [pod], rootCauses: [] }),
        incident('inc_d', {
          updatedMs: T0 + MINUTE,
          resources: [{ cluster: 'prod-us', kind: 'Node', name: 'n1' }],
          rootCauses: [],
        }),
      ];
      for (const i of all) await ref.store.putIncident(i);
      const ids = async (q: Parameters<typeof ref.store.listIncidents>[0]): Promise<string[]> =>
        (await ref.store.listIncidents(q)).map((x) => x.id);
      expect(await ids({ severity: 'critical' })).toEqual(['inc_b']);
      expect(await ids({ namespace: 'shop' })).toEqual(['inc_a', 'inc_c']);
      expect(await ids({ namespace: 'pay', cluster: 'prod-eu' })).toEqual(['inc_b']);
      // inc_a names the pod only as its root cause's resource.
      expect(await ids({ resource: { namespace: 'shop', kind: 'Pod', name: pod.name } })).toEqual([
        'inc_a',
        'inc_c',
      ]);
      expect(await ids({ resource: { kind: 'Node', name: 'n1' } })).toEqual(['inc_d']);
      expect(await ids({ resource: { cluster: 'prod-eu', kind: 'Node', name: 'n1' } })).toEqual([]);
      // Equal updatedMs: the id breaks the tie, so paging neither skips nor repeats.
      expect(await ids({ limit: 2 })).toEqual(['inc_a', 'inc_c']);
      expect(await ids({ limit: 2, before: { updatedMs: T0 + 3 * MINUTE, id: 'inc_c' } })).toEqual([
        'inc_b',
        'inc_d',
      ]);
      expect(await ids({ before: { updatedMs: T0 + MINUTE, id: 'inc_d' } })).toEqual([]);
    });
  });
}
