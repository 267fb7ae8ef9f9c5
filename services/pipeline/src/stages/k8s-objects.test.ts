import { describe, expect, it } from 'vitest';
import { ObjectSnapshot, type AttrValue } from '@sleuth/core';
import { encodeOtlpRequest, ingestOtlp } from '../index';
import { anyValue, jsonBytes, keyValues, logsRequest, nanos } from '../otlp/otlp-json-builders';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const ctx = { defaultCluster: 'lab', redact: false, receivedMs: NOW };

const pod: AttrValue = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'db-0',
    namespace: 'data',
    uid: 'pod-uid-1',
    resourceVersion: '4711',
    labels: { app: 'db' },
  },
  spec: { nodeName: 'node-1', containers: [{ name: 'postgres', image: 'postgres:16' }] },
  status: { phase: 'Running' },
};

const secret: AttrValue = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db-creds',
    namespace: 'data',
    uid: 'secret-uid-1',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}',
      team: 'data',
    },
  },
  type: 'Opaque',
  data: { username: 'cG9zdGdyZXM=', password: 'aHVudGVyMg==' },
  stringData: { dsn: 'postgres://postgres:hunter2@db:5432/app' },
};

/** k8sobjectsreceiver's watch mode: the body wraps the object with the watch event type. */
const watched = (type: string, object: AttrValue) => ({
  observedTimeUnixNano: nanos(NOW - 100),
  body: anyValue({ type, object }),
  attributes: keyValues({ 'event.domain': 'k8s', 'event.name': 'pods', 'k8s.resource.name': 'pods' }),
});
/** k8sobjectsreceiver's pull mode: the body is the object itself. */
const pulled = (object: AttrValue) => ({
  observedTimeUnixNano: nanos(NOW - 200),
  body: anyValue(object),
  attributes: keyValues({ 'k8s.resource.name': 'pods' }),
});

const ingest = (records: object[], encoding: 'json' | 'protobuf' = 'json', redact = false) => {
  const req = logsRequest([{ resource: { 'k8s.cluster.name': 'prod' }, records }]);
  const body = encoding === 'json' ? jsonBytes(req) : encodeOtlpRequest('logs', req);
  return ingestOtlp('logs', encoding, body, { ...ctx, redact });
};

describe('Kubernetes objects from k8sobjectsreceiver-style log records', () => {
  it.each(['json', 'protobuf'] as const)(
    'become ObjectSnapshots from pull and watch mode, not logs (%s)',
    (encoding) => {
      const { batch, rejected } = ingest([pulled(pod), watched('MODIFIED', pod)], encoding);
      expect(rejected).toBe(0);
      expect(batch.logs).toEqual([]);
      expect(batch.objects.map((o) => ObjectSnapshot.parse(o))).toEqual([
        {
          ref: { cluster: 'prod', namespace: 'data', kind: 'Pod', name: 'db-0', uid: 'pod-uid-1' },
          apiVersion: 'v1',
          resourceVersion: '4711',
          timeMs: NOW - 200,
          deleted: false,
          object: pod,
        },
        expect.objectContaining({ timeMs: NOW - 100, deleted: false, object: pod }),
      ]);
    },
  );

  it('writes a tombstone for DELETED', () => {
    const { batch } = ingest([watched('DELETED', pod)]);
    expect(batch.objects).toHaveLength(1);
    expect(batch.objects[0]).toMatchObject({ deleted: true, ref: { kind: 'Pod', name: 'db-0' } });
  });

  it('ignores records without object state: bookmarks and the PullEnd marker', () => {
    const { batch, rejected } = ingest([
      watched('BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '5' } }),
      watched('PullEnd', { kind: 'pods' }),
    ]);
    expect(rejected).toBe(0);
    expect(batch.objects.length + batch.logs.length).toBe(0);
  });

  it('rejects object records without a kind and name, or with a non-map body', () => {
    const { rejected, rejectionReasons } = ingest([
      pulled({ apiVersion: 'v1', metadata: {} }),
      { body: { stringValue: 'text' }, attributes: keyValues({ 'event.domain': 'k8s' }) },
    ]);
    expect(rejected).toBe(2);
    expect(rejectionReasons).toEqual([
      'logs: resourceLogs[0].scopeLogs[0].logRecords[0]: Kubernetes object has no kind or metadata.name',
      'logs: resourceLogs[0].scopeLogs[0].logRecords[1]: Kubernetes object record body must be a map (the object, or a watch event with type and object)',
    ]);
  });
});

describe('Secret values', () => {
  const masked = {
    username: '[redacted]',
    password: '[redacted]',
  };

  it.each(['json', 'protobuf'] as const)(
    'are masked before anything else sees them, even with redaction off (%s)',
    (encoding) => {
      const { batch } = ingest([watched('ADDED', secret), pulled(secret)], encoding, false);
      for (const snapshot of batch.objects) {
        expect(snapshot.object['data']).toEqual(masked);
        expect(snapshot.object['stringData']).toEqual({ dsn: '[redacted]' });
        expect(snapshot.object['metadata']).toMatchObject({
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '[redacted]', team: 'data' },
        });
        expect(JSON.stringify(snapshot)).not.toMatch(/hunter2|aHVudGVyMg/);
      }
    },
  );

  it('are masked in a deleted Secret and in a Secret that arrives as a plain log body', () => {
    const { batch } = ingest([watched('DELETED', secret), { body: anyValue(secret) }]);
    expect(batch.objects[0]).toMatchObject({ deleted: true, object: { data: masked } });
    expect(batch.logs).toHaveLength(1);
    expect(batch.logs[0]?.body).not.toMatch(/hunter2|aHVudGVyMg/);
    expect(batch.logs[0]?.body).toContain('"password":"[redacted]"');
  });
});
