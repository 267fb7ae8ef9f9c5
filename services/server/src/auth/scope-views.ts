import { TopologySource, type Investigator } from '@sleuth/analyze';
import type { Investigation, Logger } from '@sleuth/core';
import type { Store } from '@sleuth/store';
import { Investigations } from '../chat/investigations';
import type { Principal, Scope } from './principal';
import { scopedStore } from './scoped-store';

/**
 * What a scoped principal reads through: the store as its scope sees it, a topology built from that
 * (no node or edge beyond the scope), an investigator whose tools read only that, and its own
 * investigations (run over the scope, kept in memory: the stored ones are fleet-wide answers).
 */
export interface ScopeView {
  scope: Exclude<Scope, 'all'>;
  store: Store;
  topology: TopologySource;
  investigator: Investigator;
  investigations: Investigations;
}

export interface ScopeViewsDeps {
  store: Store;
  investigator: Investigator;
  logger: Logger;
  /** Views kept (each caches its topology graphs); the least recently used goes first. */
  maxViews?: number;
  /** Investigations each view keeps in memory. */
  maxInvestigations?: number;
}

/** One key per scope, whatever the order its grants were written in. */
export function scopeKey(scope: Exclude<Scope, 'all'>): string {
  return JSON.stringify(scope.map((g) => [g.cluster, g.namespace ?? null]).sort());
}

/**
 * The views of the scopes in use, one per distinct scope (shared by every principal with that
 * scope), so a scoped user's topology graphs are built once per cache period, not per request.
 */
export class ScopeViews {
  private readonly views = new Map<string, ScopeView>();

  constructor(private readonly deps: ScopeViewsDeps) {}

  /** The view for a principal, or undefined when it sees everything. */
  of(p: Principal | undefined): ScopeView | undefined {
    if (!p || p.scope === 'all') return undefined;
    const key = scopeKey(p.scope);
    const known = this.views.get(key);
    if (known) {
      this.views.delete(key);
      this.views.set(key, known);
      return known;
    }
    const view = this.make(p.scope);
    this.views.set(key, view);
    const max = this.deps.maxViews ?? 64;
    for (const [old, v] of this.views) {
      if (this.views.size <= max) break;
      v.investigations.stop();
      this.views.delete(old);
    }
    return view;
  }

  stop(): void {
    for (const v of this.views.values()) v.investigations.stop();
    this.views.clear();
  }

  private make(scope: Exclude<Scope, 'all'>): ScopeView {
    const store = scopedStore(this.deps.store, scope);
    const topology = new TopologySource(store);
    const investigator = this.deps.investigator.withStore(store, topology);
    const investigations = new Investigations({
      store: memoryInvestigations(store, this.deps.maxInvestigations ?? 200),
      investigator,
      logger: this.deps.logger,
      autoSeverity: 'off',
    });
    return { scope, store, topology, investigator, investigations };
  }
}

/**
 * The store with investigations kept in a bounded map instead: a scoped principal's investigation
 * must neither replace the fleet-wide one of the same incident state nor outlive the process in it.
 */
export function memoryInvestigations(store: Store, max: number): Store {
  const kept = new Map<string, Investigation>();
  return Object.assign(Object.create(store) as Store, {
    getInvestigation(id: string) {
      return Promise.resolve(kept.get(id));
    },
    listInvestigations(incidentId: string, q?: { limit?: number }) {
      const list = [...kept.values()]
        .filter((i) => i.incidentId === incidentId)
        .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1));
      return Promise.resolve(list.slice(0, q?.limit ?? 20));
    },
    putInvestigation(i: Investigation) {
      kept.delete(i.id);
      kept.set(i.id, i);
      for (const old of kept.keys()) {
        if (kept.size <= max) break;
        kept.delete(old);
      }
      return Promise.resolve();
    },
  });
}
