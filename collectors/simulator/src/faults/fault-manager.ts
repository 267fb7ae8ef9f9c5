import { NotFoundError, ValidationError, newId } from '@sleuth/core';
import type { ClusterRuntime } from '../model/runtime';
import { findWorkload, type WorkloadState } from '../model/state';
import { FAULT_BEHAVIORS } from './registry';
import { FaultRequest, type FaultRecord } from './fault-schema';

const KEEP_ENDED = 200;

interface Entry {
  record: FaultRecord;
  rt: ClusterRuntime;
  workload: WorkloadState;
  begun: boolean;
  ended: boolean;
}

/**
 * Keeps the injected faults and applies them at their simulated start and end times. Validation
 * happens at injection: a malformed request is a ValidationError naming the field, an unknown
 * cluster, namespace or workload a NotFoundError naming what exists, a kind the workload cannot
 * take (or a workload already under a fault) a ValidationError saying why.
 */
export class FaultManager {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly clusters: readonly ClusterRuntime[],
    private readonly now: () => number,
  ) {}

  /** Injects a fault starting now (simulated time). `input` is untrusted (an HTTP body). */
  inject(input: unknown): FaultRecord {
    const parsed = FaultRequest.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = issues[0];
      throw new ValidationError(
        `Invalid fault request: ${first ? `${first.path || 'body'}: ${first.message}` : 'malformed'}.`,
        { issues },
      );
    }
    const req = parsed.data;
    const { cluster, namespace, workload } = req.target;
    const rt = this.clusters.find((c) => c.name === cluster);
    if (!rt) {
      throw new NotFoundError(
        `No simulated cluster named "${cluster}"; clusters: ${this.clusters.map((c) => c.name).join(', ')}.`,
        { cluster },
      );
    }
    if (!rt.state.namespaces.some((n) => n.name === namespace)) {
      throw new NotFoundError(
        `Cluster ${cluster} has no namespace "${namespace}"; namespaces: ${rt.state.namespaces.map((n) => n.name).join(', ')}.`,
        { cluster, namespace },
      );
    }
    const w = findWorkload(rt.state, workload);
    if (!w || w.spec.namespace !== namespace) {
      const names = rt.state.workloads.filter((x) => x.spec.namespace === namespace).map((x) => x.spec.name);
      throw new NotFoundError(
        `Namespace ${namespace} in ${cluster} has no workload "${workload}"; workloads: ${names.join(', ') || 'none'}.`,
        { cluster, namespace, workload },
      );
    }
    const behavior = FAULT_BEHAVIORS[req.kind];
    const why = behavior.unsupported(w);
    if (why !== undefined)
      throw new ValidationError(
        `Cannot inject ${req.kind} into ${cluster}/${namespace}/${workload}: ${why}.`,
        { kind: req.kind, target: req.target },
      );
    const busy = this.entries.find((e) => !e.ended && e.workload === w);
    if (busy) {
      throw new ValidationError(
        `${cluster}/${namespace}/${workload} already has fault ${busy.record.id} (${busy.record.kind}) active; clear it first.`,
        { activeFault: busy.record.id },
      );
    }
    const startMs = this.now();
    const record: FaultRecord = {
      id: newId('flt', startMs),
      kind: req.kind,
      target: req.target,
      durationSeconds: req.durationSeconds,
      startMs,
      endMs: startMs + req.durationSeconds * 1000,
      status: 'active',
      description: behavior.describe(w, rt),
    };
    this.entries.push({ record, rt, workload: w, begun: false, ended: false });
    return { ...record, target: { ...record.target } };
  }

  /** Every fault, newest first (ended ones are kept for a while). */
  list(): FaultRecord[] {
    return this.entries.map((e) => ({ ...e.record, target: { ...e.record.target } })).reverse();
  }

  /** Ends a fault now (it takes effect at the next tick); NotFoundError if the id is unknown. */
  clear(id: string): FaultRecord {
    const entry = this.entries.find((e) => e.record.id === id);
    if (!entry) throw new NotFoundError(`No fault with id "${id}".`, { id });
    if (!entry.ended && entry.record.status === 'active') {
      entry.record.endMs = Math.max(entry.record.startMs, this.now());
      entry.record.status = 'cleared';
    }
    return { ...entry.record, target: { ...entry.record.target } };
  }

  /** Applies the starts and ends that fall in (fromMs, toMs], in time order. */
  advance(fromMs: number, toMs: number): void {
    const due: { at: number; entry: Entry; begin: boolean }[] = [];
    for (const entry of this.entries) {
      if (!entry.begun && entry.record.startMs <= toMs)
        due.push({ at: Math.max(entry.record.startMs, fromMs), entry, begin: true });
      if (!entry.ended && entry.record.endMs <= toMs)
        due.push({ at: Math.max(entry.record.endMs, fromMs), entry, begin: false });
    }
    due.sort((a, b) => a.at - b.at || Number(b.begin) - Number(a.begin));
    for (const { at, entry, begin } of due) {
      const behavior = FAULT_BEHAVIORS[entry.record.kind];
      if (begin) {
        entry.begun = true;
        behavior.begin(entry.rt, entry.workload, at);
      } else {
        entry.ended = true;
        if (entry.record.status === 'active') entry.record.status = 'ended';
        behavior.end(entry.rt, entry.workload, at, entry.record.startMs);
      }
    }
    for (const entry of this.entries) {
      if (!entry.begun || entry.ended) continue;
      FAULT_BEHAVIORS[entry.record.kind].during?.(
        entry.rt,
        entry.workload,
        { fromMs, toMs },
        entry.record.startMs,
      );
    }
    const ended = this.entries.filter((e) => e.ended);
    if (ended.length > KEEP_ENDED) {
      const drop = new Set(ended.slice(0, ended.length - KEEP_ENDED));
      const kept = this.entries.filter((e) => !drop.has(e));
      this.entries.length = 0;
      this.entries.push(...kept);
    }
  }
}
