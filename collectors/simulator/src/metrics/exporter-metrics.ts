import { refusesAt, runningAt } from '../model/history';
import { podResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';
import type { MetricInfo } from './series-registry';

const up = (what: string): MetricInfo => ({
  unit: '1',
  description: `Whether the last scrape of ${what} succeeded.`,
});
const GAUGE: MetricInfo = { unit: '1', description: 'Exporter gauge.' };
const BYTES: MetricInfo = { unit: 'By', description: 'Memory used by the Redis server.' };
const DNS: MetricInfo = { unit: '1', description: 'DNS requests handled, by query type.' };

function postgres(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const resource = podResource(rt.name, w, pod);
  const accepting = !refusesAt(pod, atMs);
  rt.metrics.gauge({ resource, name: 'pg_up' }, up('PostgreSQL'), accepting ? 1 : 0);
  if (!accepting) return;
  for (const datname of ['catalog', 'payments', 'orders']) {
    rt.metrics.gauge(
      { resource, name: 'pg_stat_activity_count', attrs: { datname, state: 'active' } },
      GAUGE,
      rt.rng.int(0, 4),
    );
    rt.metrics.gauge(
      { resource, name: 'pg_stat_activity_count', attrs: { datname, state: 'idle' } },
      GAUGE,
      rt.rng.int(6, 14),
    );
  }
}

function redis(rt: ClusterRuntime, w: WorkloadState, pod: PodState, atMs: number): void {
  const resource = podResource(rt.name, w, pod);
  const accepting = !refusesAt(pod, atMs);
  rt.metrics.gauge({ resource, name: 'redis_up' }, up('Redis'), accepting ? 1 : 0);
  if (!accepting) return;
  rt.metrics.gauge({ resource, name: 'redis_connected_clients' }, GAUGE, rt.rng.int(18, 30));
  rt.metrics.gauge(
    { resource, name: 'redis_memory_used_bytes' },
    BYTES,
    Math.round(pod.container.memoryBytes * 0.78),
  );
  for (const [queue, jobs] of rt.state.queues) {
    rt.metrics.gauge(
      { resource, name: 'redis_key_size', attrs: { db: 'db1', key: `queue:${queue}` } },
      GAUGE,
      jobs.length,
    );
  }
}

function coredns(rt: ClusterRuntime, w: WorkloadState, pod: PodState, seconds: number): void {
  const resource = podResource(rt.name, w, pod);
  const qps = rt.state.spec.baseRps * 0.6;
  for (const type of ['A', 'AAAA']) {
    const n = rt.rng.poisson(qps * seconds * (type === 'A' ? 0.7 : 0.3));
    rt.metrics.add(
      {
        resource,
        name: 'coredns_dns_requests_total',
        attrs: { server: 'dns://:53', zone: '.', proto: 'udp', type },
      },
      DNS,
      n,
      pod.container.processStartMs,
      true,
    );
  }
}

/** Scrapes the data store and DNS exporters (postgres_exporter, redis_exporter, CoreDNS) at `atMs`. */
export function scrapeExporterMetrics(rt: ClusterRuntime, atMs: number, seconds: number): void {
  for (const w of rt.state.workloads) {
    for (const pod of w.pods) {
      if (!runningAt(pod.container, atMs) || pod.deletingAtMs !== undefined) continue;
      if (w.spec.logFormat === 'postgres') postgres(rt, w, pod, atMs);
      else if (w.spec.logFormat === 'redis') redis(rt, w, pod, atMs);
      else if (w.spec.logFormat === 'coredns') coredns(rt, w, pod, seconds);
    }
  }
}
