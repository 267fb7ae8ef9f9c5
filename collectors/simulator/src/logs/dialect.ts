import type { Severity } from '@sleuth/core';
import type { WorkloadSpec } from '../fleet/types';
import type { Rng } from '../random';

/** One line (or multi-line entry, e.g. a stack trace) a container writes. */
export interface LogLine {
  severity: Severity;
  body: string;
  stream: 'stdout' | 'stderr';
  /** Milliseconds after the moment passed to the dialect. */
  offsetMs?: number;
}

/** Who is logging: the pod and what it runs. */
export interface LogContext {
  rng: Rng;
  spec: WorkloadSpec;
  pod: string;
  podIp: string;
  version: string;
  atMs: number;
}

/** A downstream dependency as the caller knows it. */
export interface DependencyTarget {
  kind: 'http' | 'postgres' | 'redis';
  /** Service DNS name, e.g. `postgres.data.svc.cluster.local`. */
  host: string;
  /** The Service's cluster IP. */
  ip: string;
  port: number;
  /** Database name (postgres), route (http) or key (redis). */
  detail: string;
}

/** Why a downstream call failed. */
export type DependencyFailure =
  | { kind: 'refused'; target: DependencyTarget }
  | { kind: 'reset'; target: DependencyTarget }
  /** The connection attempt timed out: packets dropped on the way (a NetworkPolicy). */
  | { kind: 'timeout'; target: DependencyTarget }
  | { kind: 'status'; target: DependencyTarget; status: number };

/** A request (or queue job) the container handled, with what went wrong if anything. */
export interface RequestLog {
  method: string;
  route: string;
  /** Concrete path, e.g. `/products/1842`. */
  path: string;
  status: number;
  durationMs: number;
  bytes: number;
  clientIp: string;
  userAgent: string;
  requestId: string;
  traceId?: string;
  spanId?: string;
  /** The failure that decided the outcome, if any. */
  failure?: DependencyFailure;
  /** An unhandled error in the app's own code that made it answer 500 (bad_rollout). */
  appError?: { type: string; message: string; frames: string[] };
  /** An optional dependency (cache) that failed but was worked around. */
  degraded?: DependencyFailure;
  /** Upstream address (nginx) and time, when proxied. */
  upstream?: { address: string; ms: number };
  /** Job retries (workers). */
  attempt?: number;
  maxAttempts?: number;
}

/**
 * How one kind of process writes its logs. Each method returns the lines for one moment; the
 * caller stamps them with the pod's resource and writes them only while the container runs.
 */
export interface LogDialect {
  startup(ctx: LogContext): LogLine[];
  /** The app exits at startup because a required environment variable is missing. */
  missingEnv(ctx: LogContext, variable: string): LogLine[];
  /** Graceful shutdown on SIGTERM. */
  shutdown(ctx: LogContext): LogLine[];
  /** A handled request or job. */
  request(ctx: LogContext, req: RequestLog): LogLine[];
  /** Periodic lines unrelated to requests over `seconds` starting at ctx.atMs. */
  background(ctx: LogContext, seconds: number): LogLine[];
  /**
   * One WARN line of a kind the app never writes otherwise (a deprecation or cache-eviction
   * warning), written at `offsetMs` (log_noise). Harmless: nothing else changes.
   */
  benignWarning(ctx: LogContext, offsetMs: number): LogLine;
  /** The server stops accepting connections (dependency_down). */
  outageStart?(ctx: LogContext): LogLine[];
  /** A connection attempt (e.g. a probe) while down. */
  outageProbe?(ctx: LogContext): LogLine[];
  /** The server accepts connections again. */
  outageEnd?(ctx: LogContext, downSinceMs: number): LogLine[];
}

/** Spreads `count` Poisson-distributed lines' offsets over `seconds`. */
export function offsets(ctx: LogContext, ratePerSecond: number, seconds: number): number[] {
  const n = ctx.rng.poisson(ratePerSecond * seconds);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(ctx.rng.float(0, seconds * 1000));
  return out.sort((a, b) => a - b);
}
