import { msToNanos } from '@sleuth/core';
import { k8sTime } from '../clock';
import { keyValues } from '../otlp/attributes';
import type { Rng } from '../random';
import { SCOPES, type Outbox } from '../model/outbox';
import type { InvolvedObject } from './types';

/** Who reported an event: the controller or kubelet, and the node for node-local sources. */
export interface EventSource {
  component: string;
  host?: string;
}

const MAX_TRACKED = 4096;

interface EventEntry {
  uid: string;
  name: string;
  count: number;
  firstMs: number;
}

/**
 * Records Kubernetes Events the way the API server aggregates them and exports each occurrence
 * as a k8seventsreceiver-style log record: a repeat of the same event (same object, type, reason
 * and message) keeps its name and uid and raises `count`.
 */
export class EventRecorder {
  private readonly seen = new Map<string, EventEntry>();

  constructor(
    private readonly cluster: string,
    private readonly rng: Rng,
    private readonly outbox: Outbox,
  ) {}

  /** Records one occurrence at `atMs`. */
  record(
    involved: InvolvedObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    atMs: number,
    source: EventSource,
    action = '',
  ): void {
    const key = `${involved.uid}|${type}|${reason}|${message}`;
    let entry = this.seen.get(key);
    if (entry) entry.count++;
    else {
      // Bounded like the API server's event cache: the oldest series are forgotten first.
      if (this.seen.size >= MAX_TRACKED) this.seen.delete(this.seen.keys().next().value ?? '');
      entry = { uid: this.rng.uuid(), name: `${involved.name}.${this.rng.hex(16)}`, count: 1, firstMs: atMs };
      this.seen.set(key, entry);
    }
    const resource: Record<string, string> = {
      'k8s.cluster.name': this.cluster,
      ...(source.host === undefined ? {} : { 'k8s.node.name': source.host }),
      'k8s.object.kind': involved.kind,
      'k8s.object.name': involved.name,
      'k8s.object.uid': involved.uid,
      'k8s.object.fieldpath': involved.fieldPath ?? '',
      'k8s.object.api_version': involved.apiVersion,
      ...(involved.namespace === undefined ? {} : { 'k8s.namespace.name': involved.namespace }),
    };
    this.outbox.api.push({
      type: 'EVENT',
      object: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: entry.name, namespace: involved.namespace ?? 'default', uid: entry.uid },
        involvedObject: {
          kind: involved.kind,
          name: involved.name,
          uid: involved.uid,
          apiVersion: involved.apiVersion,
          ...(involved.namespace === undefined ? {} : { namespace: involved.namespace }),
          ...(involved.fieldPath === undefined ? {} : { fieldPath: involved.fieldPath }),
        },
        reason,
        message,
        type,
        count: entry.count,
        firstTimestamp: k8sTime(entry.firstMs),
        lastTimestamp: k8sTime(atMs),
        source: { component: source.component, ...(source.host === undefined ? {} : { host: source.host }) },
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
        action,
      },
    });
    this.outbox.logs.push({
      resource,
      scope: SCOPES.k8sEvents,
      timeMs: atMs,
      record: {
        timeUnixNano: msToNanos(atMs),
        observedTimeUnixNano: msToNanos(atMs),
        severityNumber: type === 'Warning' ? 13 : 9,
        severityText: type,
        body: { stringValue: message },
        attributes: keyValues({
          'k8s.event.reason': reason,
          'k8s.event.action': action,
          'k8s.event.start_time': k8sTime(entry.firstMs),
          'k8s.event.name': entry.name,
          'k8s.event.uid': entry.uid,
          'k8s.event.count': entry.count,
          'k8s.event.reporting_controller': source.component,
          'k8s.namespace.name': involved.namespace ?? '',
        }),
      },
    });
  }

  /** Forgets events about objects that no longer exist, keeping memory bounded. */
  forget(uids: ReadonlySet<string>): void {
    for (const key of this.seen.keys()) {
      if (uids.has(key.slice(0, key.indexOf('|')))) this.seen.delete(key);
    }
  }
}
