import type { CallSpec, LogFormat } from '../fleet/types';
import type { DependencyFailure, DependencyTarget } from '../logs/dialect';
import { inEndpointsAt, refusesAt } from '../model/history';
import { memoryLimitBytes } from '../model/pods';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';

/** How a caller reaches a workload: its Service's DNS name, cluster IP and port. */
export function targetOf(w: WorkloadState, call: CallSpec): DependencyTarget {
  const detail = call.kind === 'http' ? call.route : call.kind === 'postgres' ? call.database : call.key;
  return {
    kind: call.kind,
    host: `${w.spec.serviceName}.${w.spec.namespace}.svc.cluster.local`,
    ip: w.service.ip,
    port: w.spec.port,
    detail,
  };
}

/**
 * Where a connection to the workload's Service at `t` lands: a pod among the ready endpoints
 * (readiness seen with kube-proxy's lag), or refused when there is none or the pod picked does
 * not accept connections (killed, shut down, refusing).
 */
export function route(rt: ClusterRuntime, w: WorkloadState, t: number): { pod?: PodState; refused: boolean } {
  const candidates = w.pods.filter((p) => inEndpointsAt(p, t));
  if (candidates.length === 0) return { refused: true };
  const pod = rt.rng.pick(candidates);
  return { pod, refused: refusesAt(pod, t) };
}

/**
 * How much longer a request waits in a pod loaded to `utilisation` of its capacity: negligible
 * at everyday load, a quarter more at half, growing sharply as it nears 1 (1 + ρ³/(1−ρ), a
 * multi-server queue's shape; ρ is capped at 0.95, where requests wait about 18 times longer).
 */
export function queueing(utilisation: number): number {
  const rho = Math.min(0.95, Math.max(0, utilisation));
  return 1 + rho ** 3 / (1 - rho);
}

/**
 * How much slower a pod answers under memory pressure (GC thrash near the limit), CPU
 * throttling (work stalls until the next CFS period once the quota is spent) and load (requests
 * queue as the pod's request rate nears its capacity).
 */
export function slowdown(w: WorkloadState, pod: PodState): number {
  const ratio = pod.container.memoryBytes / memoryLimitBytes(w);
  const memory = ratio <= 0.85 ? 1 : 1 + ((ratio - 0.85) / 0.15) ** 2 * 6;
  const pressure = pod.cpuPressure ?? 0;
  const cpu = pressure <= 0.8 ? 1 : 1 + (pressure - 0.8) * 2.5;
  return memory * cpu * queueing(pod.utilisation ?? 0);
}

/**
 * How long a caller spends on a connection that is refused before giving up: HikariCP waits for
 * its connection timeout, pgx and go-redis retry briefly, Node and Python fail at once.
 */
export function refusedCostMs(rt: ClusterRuntime, caller: LogFormat, call: CallSpec): number {
  if (caller === 'java' && call.kind === 'postgres') return 2000 + rt.rng.float(0, 15);
  if (caller === 'go') return rt.rng.float(60, 140);
  if (caller === 'nginx') return rt.rng.float(0.3, 1.2);
  return rt.rng.float(0.8, 4);
}

/**
 * How long a caller waits on a connection attempt whose packets are dropped: HikariCP's 2 s
 * connection timeout, psycopg2's connect_timeout=3, Go dialers' and nginx's 5 s, Node's 10 s.
 */
export function timeoutCostMs(rt: ClusterRuntime, caller: LogFormat, call: CallSpec): number {
  if (caller === 'java') return (call.kind === 'postgres' ? 2000 : 5000) + rt.rng.float(0, 15);
  if (caller === 'python') return 3000 + rt.rng.float(0, 10);
  if (caller === 'node') return 10_000 + rt.rng.float(0, 10);
  return 5000 + rt.rng.float(0, 10);
}

/** The status a caller answers with when a dependency it needs fails. */
export function statusOnFailure(caller: LogFormat, failure: DependencyFailure): number {
  if (caller === 'nginx')
    return failure.kind === 'status' ? failure.status : failure.kind === 'timeout' ? 504 : 502;
  if (caller === 'java') return 500;
  if (failure.target.kind === 'http') return 502;
  return 503;
}

/** Fills a route template (`/products/{id}`) with concrete values. */
export function concretePath(route: string, params: { id: number; asset: string }): string {
  return route.replace('{id}', String(params.id)).replace('{asset}', params.asset);
}
