import { describe, expect, it } from 'vitest';
import { K8sEvent, type AttrValue } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp } from '../index';
import { anyValue, jsonBytes, keyValues, logsRequest, nanos } from '../otlp/otlp-json-builders';
import { parseK8sTime } from './k8s-events';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: NOW };

/** A record shaped as the collector-contrib k8seventsreceiver emits it. */
const receiverEvent = {
  resource: {
    'k8s.cluster.name': 'prod-eu',
    'k8s.node.name': 'node-3',
    'k8s.object.kind': 'Pod',
    'k8s.object.name': 'checkout-7d9f-x2x4',
    'k8s.object.uid': 'f1e2d3c4-0000-4000-8000-000000000001',
    'k8s.object.fieldpath': 'spec.containers{app}',
    'k8s.object.api_version': 'v1',
    'k8s.object.resource_version': '81234',
  },
  records: [
    {
      timeUnixNano: nanos(NOW - 5_000),
      severityNumber: 13,
      severityText: 'Warning',
      body: { stringValue: 'Back-off restarting failed container app in pod checkout-7d9f-x2x4' },
      attributes: keyValues({
        'k8s.event.reason': 'BackOff',
        'k8s.event.action': '',
        'k8s.event.start_time': '2025-06-01 11:50:00 +0000 UTC',
        'k8s.event.name': 'checkout-7d9f-x2x4.17a1b2c3d4e5f6a7',
        'k8s.event.uid': '0b9d2c4e-0000-4000-8000-000000000002',
        'k8s.namespace.name': 'shop',
        'k8s.event.reporting_controller': 'kubelet',
        'k8s.event.count': 7,
      }),
    },
  ],
};

describe('Kubernetes events from k8seventsreceiver-style log records', () => {
  it.each(['json', 'protobuf'] as const)('become K8sEvents, not logs (%s)', (encoding) => {
    const req = logsRequest([receiverEvent]);
    const body = encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest('logs', req);
    const { batch, rejected } = ingestOtlp('logs', encoding, body, ctx);
    expect(rejected).toBe(0);
    expect(batch.logs).toEqual([]);
    expect(batch.events).toEqual([
      {
        uid: '0b9d2c4e-0000-4000-8000-000000000002',
        cluster: 'prod-eu',
        namespace: 'shop',
        involved: {
          cluster: 'prod-eu',
          namespace: 'shop',
          kind: 'Pod',
          name: 'checkout-7d9f-x2x4',
          uid: 'f1e2d3c4-0000-4000-8000-000000000001',
        },
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container app in pod checkout-7d9f-x2x4',
        count: 7,
        firstMs: Date.parse('2025-06-01T11:50:00Z'),
        lastMs: NOW - 5_000,
        reportingComponent: 'kubelet',
      },
    ]);
    expect(() => K8sEvent.parse(batch.events[0])).not.toThrow();
  });

  it('defaults the cluster, count and type, and never starts after it ends', () => {
    const record = {
      timeUnixNano: nanos(NOW - 1000),
      severityText: 'Normal',
      body: { stringValue: 'Scaled up replica set web-5c6 to 3' },
      attributes: keyValues({
        'k8s.event.reason': 'ScalingReplicaSet',
        'k8s.event.start_time': '2025-06-01T11:59:59.500Z',
      }),
    };
    const req = logsRequest([
      { resource: { 'k8s.object.kind': 'Deployment', 'k8s.object.name': 'web' }, records: [record] },
    ]);
    const [event] = ingestOtlp('logs', 'json', jsonBytes(req), ctx).batch.events;
    expect(event).toMatchObject({
      cluster: 'lab',
      type: 'Normal',
      count: 1,
      firstMs: NOW - 1000,
      lastMs: NOW - 1000,
    });
    expect(event?.involved).toEqual({ cluster: 'lab', kind: 'Deployment', name: 'web' });
  });

  it('rejects an event that does not say what it is about', () => {
    const req = logsRequest([
      { resource: {}, records: [{ attributes: keyValues({ 'k8s.event.reason': 'Killing' }) }] },
    ]);
    const { batch, rejected, rejectionReasons } = ingestOtlp('logs', 'json', jsonBytes(req), ctx);
    expect(batch.events).toEqual([]);
    expect(rejected).toBe(1);
    expect(rejectionReasons[0]).toContain('no k8s.object.kind and k8s.object.name');
  });
});

/** A watch event as k8sobjectsreceiver emits it, for the given object. */
const watched = (type: string, object: AttrValue) => ({
  observedTimeUnixNano: nanos(NOW - 100),
  body: anyValue({ type, object }),
  attributes: keyValues({ 'event.domain': 'k8s', 'event.name': 'events', 'k8s.resource.name': 'events' }),
});

describe('Kubernetes Event objects from k8sobjectsreceiver', () => {
  const coreEvent: AttrValue = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'db-0.17a', namespace: 'data', uid: 'ev-1', resourceVersion: '9' },
    involvedObject: { kind: 'Pod', name: 'db-0', namespace: 'data', uid: 'pod-1' },
    reason: 'OOMKilling',
    message: 'Memory cgroup out of memory: Killed process 4242 (postgres)',
    type: 'Warning',
    count: 3,
    firstTimestamp: '2025-06-01T11:00:00Z',
    lastTimestamp: '2025-06-01T11:58:00Z',
    source: { component: 'kernel-monitor' },
  };
  const newEvent: AttrValue = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.18b', namespace: 'shop', uid: 'ev-2' },
    regarding: { kind: 'Deployment', name: 'web', namespace: 'shop' },
    reason: 'ScalingReplicaSet',
    note: 'Scaled up replica set web-5c6 to 3',
    type: 'Normal',
    eventTime: '2025-06-01T11:30:00.123456Z',
    series: { count: 4, lastObservedTime: '2025-06-01T11:45:00.000000Z' },
    reportingController: 'deployment-controller',
  };

  it('turns core/v1 and events.k8s.io/v1 Events into K8sEvents and skips deleted ones', () => {
    const req = logsRequest([
      {
        resource: { 'k8s.cluster.name': 'prod' },
        records: [watched('ADDED', coreEvent), watched('MODIFIED', newEvent), watched('DELETED', coreEvent)],
      },
    ]);
    const { batch, rejected } = ingestOtlp('logs', 'json', jsonBytes(req), ctx);
    expect(rejected).toBe(0);
    expect(batch.logs).toEqual([]);
    expect(batch.objects).toEqual([]);
    expect(batch.events.map((e) => K8sEvent.parse(e))).toEqual([
      {
        uid: 'ev-1',
        cluster: 'prod',
        namespace: 'data',
        involved: { cluster: 'prod', namespace: 'data', kind: 'Pod', name: 'db-0', uid: 'pod-1' },
        type: 'Warning',
        reason: 'OOMKilling',
        message: 'Memory cgroup out of memory: Killed process 4242 (postgres)',
        count: 3,
        firstMs: Date.parse('2025-06-01T11:00:00Z'),
        lastMs: Date.parse('2025-06-01T11:58:00Z'),
        reportingComponent: 'kernel-monitor',
      },
      {
        uid: 'ev-2',
        cluster: 'prod',
        namespace: 'shop',
        involved: { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' },
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set web-5c6 to 3',
        count: 4,
        firstMs: Date.parse('2025-06-01T11:30:00.123Z'),
        lastMs: Date.parse('2025-06-01T11:45:00Z'),
        reportingComponent: 'deployment-controller',
      },
    ]);
  });
});

describe('parseK8sTime', () => {
  it('reads RFC 3339 and Go time strings, and nothing else', () => {
    expect(parseK8sTime('2025-06-01T11:50:00Z')).toBe(Date.parse('2025-06-01T11:50:00Z'));
    expect(parseK8sTime('2025-06-01T11:50:00.123456Z')).toBe(Date.parse('2025-06-01T11:50:00.123Z'));
    expect(parseK8sTime('2025-06-01 13:50:00 +0200 CEST')).toBe(Date.parse('2025-06-01T11:50:00Z'));
    expect(parseK8sTime('2025-06-01 11:50:00.5 +0000 UTC m=+0.000000001')).toBe(
      Date.parse('2025-06-01T11:50:00.500Z'),
    );
    expect(parseK8sTime('0001-01-01 00:00:00 +0000 UTC')).toBeUndefined();
    expect(parseK8sTime('yesterday')).toBeUndefined();
    expect(parseK8sTime(1717236000)).toBeUndefined();
  });
});
