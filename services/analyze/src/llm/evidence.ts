import type { CitedEvidence, SignalRef } from '@sleuth/core';

export type { CitedEvidence };

/**
 * The evidence one investigation has seen, by citation id. Tools register every record they return
 * that a claim could rest on (a log line, an event, an anomaly, a span, an object's state, a series
 * window) and hand the model its id; the answer may cite only ids registered here, so every
 * citation resolves to a `SignalRef` the query API can open.
 *
 * Ids read as what they point at (`log:8812`, `event:41`, `anomaly:an_3f2a`, `trace:<trace>/<span>`,
 * `object:prod/shop/Deployment/cart@1700000000000`, `series:3`), so a model copies them reliably and a
 * person reading an answer can tell what was cited.
 */
export class EvidenceRegistry {
  private readonly byId = new Map<string, CitedEvidence>();
  private seriesSeq = 0;

  /** Registers evidence and returns its citation id (the same id for the same signal). */
  add(signal: SignalRef, summary: string): string {
    const id = this.idOf(signal);
    if (!this.byId.has(id)) this.byId.set(id, { id, signal, summary: summary.slice(0, 2000) });
    return id;
  }

  /** Registers evidence cited earlier (a previous answer in the conversation) under its id. */
  restore(e: CitedEvidence): void {
    if (!this.byId.has(e.id)) this.byId.set(e.id, e);
    if (e.signal.kind === 'series') {
      const n = Number(/^series:(\d+)$/.exec(e.id)?.[1]);
      if (Number.isFinite(n)) this.seriesSeq = Math.max(this.seriesSeq, n);
    }
  }

  get(id: string): CitedEvidence | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  all(): CitedEvidence[] {
    return [...this.byId.values()];
  }

  private idOf(signal: SignalRef): string {
    switch (signal.kind) {
      case 'log':
      case 'event':
        return `${signal.kind}:${signal.ids.join(',')}`;
      case 'anomaly':
        return `anomaly:${signal.id}`;
      case 'alert':
        return `alert:${signal.id}`;
      case 'trace':
        return `trace:${signal.traceId}${signal.spanId ? `/${signal.spanId}` : ''}`;
      case 'object': {
        const r = signal.ref;
        const field = signal.field ? `#${signal.field}` : '';
        return `object:${r.cluster}/${r.namespace ?? '-'}/${r.kind}/${r.name}@${signal.timeMs}${field}`;
      }
      case 'series': {
        // A series window has no short natural id: number it, reusing the number for the same window.
        const same = [...this.byId.values()].find(
          (e) =>
            e.signal.kind === 'series' &&
            e.signal.name === signal.name &&
            e.signal.fromMs === signal.fromMs &&
            e.signal.toMs === signal.toMs &&
            JSON.stringify(e.signal.labels) === JSON.stringify(signal.labels),
        );
        return same ? same.id : `series:${++this.seriesSeq}`;
      }
    }
  }
}
