import { podResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';

/** Bucket bounds (seconds) of every latency histogram, Prometheus client defaults. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const REQUESTS = { unit: '1', description: 'HTTP requests served, by method, route and status code.' };
const DURATION = { unit: 's', description: 'Time to serve HTTP requests.' };
const JOBS = { unit: '1', description: 'Queue jobs processed, by queue and outcome.' };
const JOB_DURATION = { unit: 's', description: 'Time to process a queue job.' };
const PG_COMMITS = { unit: '1', description: 'Transactions committed, by database.' };
const PG_ROLLBACKS = { unit: '1', description: 'Transactions rolled back, by database.' };
const REDIS_COMMANDS = { unit: '1', description: 'Commands processed by the Redis server.' };

/** A request the pod's app served: the RED metrics its Prometheus client exposes. */
export function recordHttp(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  req: { method: string; route: string; status: number; durationMs: number },
): void {
  const resource = podResource(rt.name, w, pod);
  const start = pod.container.processStartMs;
  pod.served++;
  rt.metrics.add(
    {
      resource,
      name: 'http_server_requests_total',
      attrs: { method: req.method, route: req.route, status_code: String(req.status) },
    },
    REQUESTS,
    1,
    start,
    true,
  );
  rt.metrics.observe(
    {
      resource,
      name: 'http_server_request_duration_seconds',
      attrs: { method: req.method, route: req.route },
    },
    DURATION,
    LATENCY_BUCKETS,
    req.durationMs / 1000,
    start,
  );
}

/** A job a worker processed. */
export function recordJob(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  queue: string,
  ok: boolean,
  durationMs: number,
): void {
  const resource = podResource(rt.name, w, pod);
  const start = pod.container.processStartMs;
  pod.served++;
  rt.metrics.add(
    { resource, name: 'worker_jobs_total', attrs: { queue, outcome: ok ? 'success' : 'failure' } },
    JOBS,
    1,
    start,
    true,
  );
  rt.metrics.observe(
    { resource, name: 'worker_job_duration_seconds', attrs: { queue } },
    JOB_DURATION,
    LATENCY_BUCKETS,
    durationMs / 1000,
    start,
  );
}

/** A query or command a data store served (postgres_exporter / redis_exporter counters). */
export function recordDataStoreCall(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  database: string,
  ok: boolean,
): void {
  const resource = podResource(rt.name, w, pod);
  const start = pod.container.processStartMs;
  pod.served++;
  if (w.spec.logFormat === 'postgres') {
    const name = ok ? 'pg_stat_database_xact_commit_total' : 'pg_stat_database_xact_rollback_total';
    rt.metrics.add(
      { resource, name, attrs: { datname: database } },
      ok ? PG_COMMITS : PG_ROLLBACKS,
      1,
      start,
      true,
    );
  } else {
    rt.metrics.add({ resource, name: 'redis_commands_processed_total' }, REDIS_COMMANDS, 1, start, true);
  }
}
