import { msToNanos } from '@sleuth/core';
import { anyValue, keyValues } from '../otlp/attributes';
import { SCOPES, type Outbox } from '../model/outbox';
import type { K8sObject } from './types';

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Observation {
  atMs: number;
  seq: number;
  plural: string;
  object: K8sObject;
  deleted: boolean;
}

interface Known {
  plural: string;
  serialized: string;
  object: K8sObject;
}

/**
 * Turns rendered object states into k8sobjectsreceiver watch records. Callers `observe` an
 * object whenever it may have changed; at `flush` the observations are replayed in time order and
 * only real changes are emitted: ADDED the first time, MODIFIED when the content differs,
 * DELETED when removed. Every emitted change gets the cluster's next resourceVersion. A resync
 * re-sends every live object as MODIFIED with its current resourceVersion.
 */
export class ObjectWatch {
  private readonly known = new Map<string, Known>();
  private pending: Observation[] = [];
  private seq = 0;

  constructor(
    private readonly cluster: string,
    private resourceVersion: number,
  ) {}

  /** Notes the object's state at `atMs`. */
  observe(plural: string, object: K8sObject, atMs: number): void {
    this.pending.push({ atMs, seq: this.seq++, plural, object, deleted: false });
  }

  /** Notes that the object was deleted at `atMs` (with its final state). */
  delete(plural: string, object: K8sObject, atMs: number): void {
    this.pending.push({ atMs, seq: this.seq++, plural, object, deleted: true });
  }

  /** Emits the changes observed since the last flush; with `resync`, re-sends all live objects at `atMs`. */
  flush(outbox: Outbox, atMs: number, resync: boolean): void {
    // Observations stamped after `atMs` (a pod that finishes terminating early next tick) wait.
    const batch = this.pending.filter((o) => o.atMs <= atMs).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    this.pending = this.pending.filter((o) => o.atMs > atMs);
    const touched = new Set<string>();
    for (const obs of batch) {
      const uid = obs.object.metadata.uid;
      const prev = this.known.get(uid);
      if (obs.deleted) {
        if (!prev) continue;
        this.known.delete(uid);
        this.emit(outbox, 'DELETED', obs.plural, this.stamp(obs.object), obs.atMs);
        continue;
      }
      const serialized = JSON.stringify(obs.object);
      if (prev && prev.serialized === serialized) continue;
      const object = this.stamp(obs.object);
      this.known.set(uid, { plural: obs.plural, serialized, object });
      touched.add(uid);
      this.emit(outbox, prev ? 'MODIFIED' : 'ADDED', obs.plural, object, obs.atMs);
    }
    if (!resync) return;
    for (const [uid, known] of this.known) {
      if (!touched.has(uid)) this.emit(outbox, 'MODIFIED', known.plural, known.object, atMs);
    }
  }

  /** The last emitted state of an object, with its resourceVersion. */
  get(uid: string): K8sObject | undefined {
    return this.known.get(uid)?.object;
  }

  private stamp(object: K8sObject): K8sObject {
    this.resourceVersion++;
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(this.resourceVersion) } };
  }

  private emit(outbox: Outbox, type: WatchType, plural: string, object: K8sObject, atMs: number): void {
    outbox.api.push({ type, object });
    const namespace = object.metadata.namespace;
    outbox.logs.push({
      resource: {
        'k8s.cluster.name': this.cluster,
        ...(namespace === undefined ? {} : { 'k8s.namespace.name': namespace }),
      },
      scope: SCOPES.k8sObjects,
      timeMs: atMs,
      record: {
        timeUnixNano: msToNanos(atMs),
        observedTimeUnixNano: msToNanos(atMs),
        body: anyValue({ type, object }),
        attributes: keyValues({ 'event.domain': 'k8s', 'event.name': plural }),
      },
    });
  }
}
