import { describe, expect, it } from 'vitest';
import { ingestOtlp } from '@sleuth/pipeline';
import { backoffMs } from './backoff';
import type { ObjectChange } from './informer';
import { objectChangesRequest } from './records';
import { EVENT_RESOURCES, OBJECT_RESOURCES } from './resources';
import { sanitize, SECRET_VALUE_MASK } from './sanitize';

const T = Date.parse('2026-11-23T10:00:00Z');
const pods = OBJECT_RESOURCES.find((r) => r.plural === 'pods')!;
const secrets = OBJECT_RESOURCES.find((r) => r.plural === 'secrets')!;

function ingest(request: unknown) {
  return ingestOtlp('logs', 'json', Buffer.from(JSON.stringify(request)), {
    defaultCluster: 'default',
    redact: true,
    receivedMs: T + 1000,
  });
}

describe('objectChangesRequest', () => {
  it('becomes object snapshots and tombstones of the named cluster through the receivers’ own pipeline', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'api-1',
        namespace: 'shop',
        uid: 'u-1',
        resourceVersion: '42',
        labels: { app: 'api' },
      },
      spec: { nodeName: 'node-a', containers: [{ name: 'api', image: 'api:1.2' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'api', restartCount: 3, ready: true }] },
    };
    const changes: ObjectChange[] = [
      { type: 'ADDED', object: pod, observedMs: T },
      { type: 'DELETED', object: pod, observedMs: T + 10 },
    ];
    const { batch, rejected } = ingest(objectChangesRequest('prod-a', pods, changes));
    expect(rejected).toBe(0);
    expect(batch.objects).toHaveLength(2);
    const [added, deleted] = batch.objects;
    expect(added).toMatchObject({
      ref: { cluster: 'prod-a', namespace: 'shop', kind: 'Pod', name: 'api-1', uid: 'u-1' },
      apiVersion: 'v1',
      resourceVersion: '42',
      timeMs: T,
      deleted: false,
    });
    expect(added?.object).toEqual(pod);
    expect(deleted).toMatchObject({ deleted: true, timeMs: T + 10 });
  });

  it('turns an events.k8s.io/v1 Event into a Kubernetes event', () => {
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'api-1.17a', namespace: 'shop', uid: 'e-1', resourceVersion: '50' },
      regarding: { kind: 'Pod', name: 'api-1', namespace: 'shop', uid: 'u-1' },
      reason: 'BackOff',
      note: 'Back-off restarting failed container api in pod api-1',
      type: 'Warning',
      eventTime: '2026-11-23T09:59:00.000000Z',
      series: { count: 7, lastObservedTime: '2026-11-23T09:59:50.000000Z' },
      reportingController: 'kubelet',
    };
    const { batch } = ingest(
      objectChangesRequest('prod-a', EVENT_RESOURCES.preferred, [
        { type: 'ADDED', object: event, observedMs: T },
      ]),
    );
    expect(batch.objects).toEqual([]);
    expect(batch.events).toEqual([
      expect.objectContaining({
        cluster: 'prod-a',
        involved: { cluster: 'prod-a', kind: 'Pod', name: 'api-1', namespace: 'shop', uid: 'u-1' },
        type: 'Warning',
        reason: 'BackOff',
        count: 7,
        lastMs: Date.parse('2026-11-23T09:59:50Z'),
      }),
    ]);
  });
});

describe('sanitize', () => {
  it('keeps a Secret’s key names and masks every value, including the last-applied copy', () => {
    const secret = sanitize({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'shop',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}',
        },
        managedFields: [{ manager: 'kubectl' }],
      },
      data: { password: 'aHVudGVyMg==', user: 'YWRtaW4=' },
      stringData: { url: 'postgres://admin:hunter2@db:5432' },
    });
    expect(secret['data']).toEqual({ password: SECRET_VALUE_MASK, user: SECRET_VALUE_MASK });
    expect(secret['stringData']).toEqual({ url: SECRET_VALUE_MASK });
    expect(secret.metadata?.['managedFields']).toBeUndefined();
    const sent = JSON.stringify(
      ingest(objectChangesRequest('c', secrets, [{ type: 'ADDED', object: secret, observedMs: T }])).batch,
    );
    expect(sent).not.toMatch(/aHVudGVyMg|hunter2|YWRtaW4/);
    expect(sent).toContain('password');
  });
});

describe('backoffMs', () => {
  it('doubles from the base up to the cap, jittered within [d/2, d]', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
