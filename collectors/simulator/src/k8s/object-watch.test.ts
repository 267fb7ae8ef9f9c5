import { describe, expect, it } from 'vitest';
import { Outbox } from '../model/outbox';
import { at, flatLogs, watchRecords } from '../testing/captured-signals';
import { buildLogsRequests } from '../otlp/requests';
import { ObjectWatch } from './object-watch';
import type { K8sObject } from './types';

const pod = (phase: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  status: { phase },
});

function emitted(outbox: Outbox) {
  const requests = buildLogsRequests(outbox.take().logs, 100).map((request) => ({
    signal: 'logs' as const,
    request,
    body: '',
  }));
  return watchRecords(flatLogs(requests));
}

describe('ObjectWatch', () => {
  it('emits ADDED, MODIFIED only on change, and DELETED, in time order with rising resourceVersions', () => {
    const outbox = new Outbox();
    const watch = new ObjectWatch('c1', 100);
    watch.observe('pods', pod('Pending'), 10);
    watch.observe('pods', pod('Pending'), 20);
    watch.delete('pods', pod('Running'), 40);
    watch.observe('pods', pod('Running'), 30);
    watch.flush(outbox, 50, false);
    const records = emitted(outbox);
    expect(records.map((r) => [r.type, r.timeMs])).toEqual([
      ['ADDED', 10],
      ['MODIFIED', 30],
      ['DELETED', 40],
    ]);
    expect(records.map((r) => at(r.object, 'metadata', 'resourceVersion'))).toEqual(['101', '102', '103']);
    expect(records[0]?.cluster).toBe('c1');
  });

  it('keeps observations stamped after the flush time for the next flush, and resyncs live objects', () => {
    const outbox = new Outbox();
    const watch = new ObjectWatch('c1', 0);
    watch.observe('pods', pod('Pending'), 10);
    watch.observe('pods', pod('Running'), 60);
    watch.flush(outbox, 50, false);
    expect(emitted(outbox).map((r) => r.type)).toEqual(['ADDED']);
    watch.flush(outbox, 100, true);
    expect(emitted(outbox).map((r) => r.type)).toEqual(['MODIFIED']);
    watch.flush(outbox, 150, true);
    const resync = emitted(outbox);
    expect(resync.map((r) => [r.type, r.timeMs])).toEqual([['MODIFIED', 150]]);
    expect(at(resync[0]?.object, 'metadata', 'resourceVersion')).toBe('2');
  });
});
