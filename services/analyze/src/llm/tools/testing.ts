import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignalRef } from '@sleuth/core';
import type { z } from 'zod';
import { SqliteStore, type Store } from '@sleuth/store';
import { TopologySource } from '../../topology/source';
import { EvidenceRegistry } from '../evidence';
import { ANOMALIES, incident } from './testing-incident';
import { CLUSTER, MIN, NOW, objects, ref } from './testing-objects';
import { events, logs, metrics, spans } from './testing-signals';
import type { Tool, ToolContext, ToolResult } from './tool';

export { ANOMALIES } from './testing-incident';
export {
  BIG_CONFIG,
  CART,
  CART_CONFIG,
  CART_POD,
  CART_POD_2,
  CART_RS,
  CART_SECRET,
  CART_SVC,
  CHECKOUT,
  CHECKOUT_POD,
  CLUSTER,
  MIN,
  NODE,
  NOW,
  ref,
  SECRET_VALUE,
} from './testing-objects';
export { TRACES } from './testing-signals';
export { cartMemory, fakePrometheus } from './testing-prometheus';

/** A store in a temp directory holding a small shop: a rollout and a config change gone wrong. */
export interface Fleet {
  store: SqliteStore;
  /** Deletes the store; call in afterAll. */
  close(): Promise<void>;
}

export async function openFleet(): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-tools-'));
  const store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
  await store.writeBatch({
    logs: logs(),
    metrics: metrics(),
    spans: spans(),
    events: events(),
    objects: objects(),
  });
  await store.putAnomalies(ANOMALIES);
  const redis = await store.searchLogs({ q: '"redis timeout"', limit: 1 });
  await store.putIncident(incident(redis.records[0]?.id ?? 'missing'));
  await store.putIncident({
    ...incident('none'),
    id: 'inc-old',
    title: 'web slow',
    status: 'resolved',
    severity: 'low',
    startMs: NOW - 2 * 24 * 60 * MIN,
    updatedMs: NOW - 2 * 24 * 60 * MIN + 60 * MIN,
    resolvedMs: NOW - 2 * 24 * 60 * MIN + 60 * MIN,
    resources: [ref('Deployment', 'web', 'blog')],
    anomalyIds: ['an-old-web'],
    rootCauses: [],
  });
  return {
    store,
    close: async () => {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tool context at NOW over the store, with a fresh evidence registry; `null` for no default cluster. */
export function toolContext(store: Store, defaultCluster: string | null = CLUSTER): ToolContext {
  return {
    store,
    topology: new TopologySource(store),
    nowMs: NOW,
    evidence: new EvidenceRegistry(),
    ...(defaultCluster ? { defaultCluster } : {}),
  };
}

/** Store methods that change something: every write, the retention sweep, the lifecycle. */
const WRITES = /^(write|put|append|delete|enforce|start$|stop$)/;

/** The store with every write method throwing: what a read-only tool must never notice. */
export function readOnlyStore(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITES.test(prop))
        return () => {
          throw new Error(`a tool called store.${prop}`);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => Reflect.apply(value, target, args);
    },
  });
}

/** Runs a tool as the investigator does: parameters parsed (defaults applied), then `run`. */
export function call<P extends z.ZodObject>(
  tool: Tool<P>,
  args: z.input<P>,
  ctx: ToolContext,
): Promise<ToolResult> {
  return tool.run(tool.params.parse(args), ctx);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as a record; throws (failing the test) when it is not one. */
export function rec(v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/** `data[key]` of a result as a list of records; throws when it is not one. */
export function list(r: ToolResult, key: string): Record<string, unknown>[] {
  const v = rec(r.data)[key];
  if (!Array.isArray(v)) throw new Error(`expected data.${key} to be a list, got ${JSON.stringify(v)}`);
  return v.map(rec);
}

/** The signal an evidence id (as a tool returned it) was registered for. */
export function signalOf(ctx: ToolContext, evidenceId: unknown): SignalRef | undefined {
  return typeof evidenceId === 'string' ? ctx.evidence.get(evidenceId)?.signal : undefined;
}
