import type { EndpointSpec } from '../fleet/types';
import type { ClusterRuntime } from '../model/runtime';
import { findWorkload, type SurgeState, type WorkloadState } from '../model/state';

/** How long a surge takes to build up, and to die down after it ends. */
export const SURGE_RAMP_MS = 60_000;

/** A surge's multiplier of normal load at `t`: 1 before it, `factor` in full, back to 1 after. */
export function surgeFactor(surge: SurgeState, t: number): number {
  const up = Math.min(1, Math.max(0, (t - surge.sinceMs) / surge.rampMs));
  const down =
    surge.untilMs === undefined ? 1 : Math.min(1, Math.max(0, 1 - (t - surge.untilMs) / surge.rampMs));
  return 1 + (surge.factor - 1) * up * down;
}

/** Starts a surge of `factor` times normal load on `w` at `atMs`. */
export function startSurge(w: WorkloadState, factor: number, atMs: number): void {
  w.surge = { factor, sinceMs: atMs, rampMs: SURGE_RAMP_MS };
}

/** Ends `w`'s surge at `atMs`: the load dies down over the ramp, then the surge is forgotten. */
export function endSurge(w: WorkloadState, atMs: number): void {
  if (w.surge) w.surge.untilMs = atMs;
}

/** Whether serving `endpoint` of `w` calls `target` (directly or further down the call graph). */
function reaches(rt: ClusterRuntime, w: WorkloadState, endpoint: EndpointSpec, target: string): boolean {
  if (w.spec.name === target) return true;
  for (const call of endpoint.calls) {
    if (call.service === target) return true;
    if (call.kind !== 'http') continue;
    const next = findWorkload(rt.state, call.service);
    const ep = next?.spec.endpoints.find((e) => e.route === call.route && e.method === call.method);
    if (next && ep && reaches(rt, next, ep, target)) return true;
  }
  return false;
}

/**
 * The entry endpoints that carry extra load to `target`, with their weights, and the share of
 * the entry traffic that reaches it normally. The extra requests go to endpoints that reach no
 * other autoscaled workload when there are such (a flash sale refreshes carts), so the surge
 * loads the target rather than everything behind it.
 */
export function surgeRoutes(
  rt: ClusterRuntime,
  entry: WorkloadState,
  target: WorkloadState,
): { endpoints: { weight: number; value: EndpointSpec }[]; share: number } {
  const all = entry.spec.endpoints;
  const total = all.reduce((n, e) => n + e.weight, 0);
  const reaching = all.filter((e) => reaches(rt, entry, e, target.spec.name));
  const others = rt.state.workloads.filter((w) => w !== target && w !== entry && w.spec.autoscaling);
  const quiet = reaching.filter((e) => !others.some((o) => reaches(rt, entry, e, o.spec.name)));
  const chosen = quiet.length > 0 ? quiet : reaching;
  return {
    endpoints: chosen.map((e) => ({ weight: e.weight, value: e })),
    share: total > 0 ? reaching.reduce((n, e) => n + e.weight, 0) / total : 0,
  };
}

/**
 * The extra end-user requests of (fromMs, toMs] that the cluster's surges add, each with the
 * entry endpoint it asks for, drawn around `ratePerSecond` (the cluster's normal entry rate).
 * Surges whose ramp-down is over are forgotten.
 */
export function surgeRequests(
  rt: ClusterRuntime,
  entry: WorkloadState,
  ratePerSecond: number,
  fromMs: number,
  toMs: number,
): { t: number; endpoint: EndpointSpec }[] {
  const out: { t: number; endpoint: EndpointSpec }[] = [];
  const seconds = (toMs - fromMs) / 1000;
  for (const w of rt.state.workloads) {
    const surge = w.surge;
    if (!surge) continue;
    if (surge.untilMs !== undefined && fromMs >= surge.untilMs + surge.rampMs) {
      w.surge = undefined;
      continue;
    }
    const extra = surgeFactor(surge, (fromMs + toMs) / 2) - 1;
    const routes = surgeRoutes(rt, entry, w);
    if (extra <= 0 || routes.endpoints.length === 0) continue;
    const count = rt.rng.poisson(ratePerSecond * routes.share * extra * seconds);
    for (let i = 0; i < count; i++)
      out.push({ t: rt.rng.float(fromMs, toMs), endpoint: rt.rng.weighted(routes.endpoints) });
  }
  return out;
}
