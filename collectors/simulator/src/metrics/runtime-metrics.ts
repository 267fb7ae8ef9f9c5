import { cpuLimitMilli, memoryLimitBytes } from '../model/pods';
import { podResource } from '../model/resources';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, WorkloadState } from '../model/state';
import type { MetricInfo } from './series-registry';

const info = (unit: string, description: string): MetricInfo => ({ unit, description });
const M = {
  rss: info('By', 'Resident set size of the container (cAdvisor).'),
  usage: info('By', 'Memory usage of the container including page cache (cAdvisor).'),
  limit: info('By', 'Memory limit of the container (cAdvisor).'),
  periods: info('1', 'Elapsed CFS enforcement periods (cAdvisor).'),
  throttled: info('1', 'CFS periods in which the container was throttled (cAdvisor).'),
  processRss: info('By', 'Resident memory of the process (Prometheus client).'),
  processStart: info('s', 'Start time of the process since the Unix epoch (Prometheus client).'),
  heap: info('By', 'Heap in use by the runtime.'),
  lag: info('s', 'Event loop lag (prom-client).'),
  threads: info('1', 'Live threads or goroutines.'),
};

/**
 * cAdvisor's memory and CPU-throttling detail and the app runtime's own process metrics for a
 * running container, scraped over the last `seconds` (throttling from `pod.cpuPressure`).
 */
export function scrapeRuntimeMetrics(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  seconds: number,
): void {
  const resource = podResource(rt.name, w, pod);
  const c = pod.container;
  const m = rt.metrics;
  const limit = memoryLimitBytes(w);
  const start = c.processStartMs;
  m.gauge({ resource, name: 'container_memory_rss' }, M.rss, Math.round(c.memoryBytes * 0.92));
  m.gauge(
    { resource, name: 'container_memory_usage_bytes' },
    M.usage,
    Math.round(Math.min(limit, c.memoryBytes * 1.18)),
  );
  m.gauge({ resource, name: 'container_spec_memory_limit_bytes' }, M.limit, limit);
  if (cpuLimitMilli(w, pod) > 0) {
    const periods = Math.round(seconds * 10);
    const busy = pod.cpuPressure ?? 0;
    m.add({ resource, name: 'container_cpu_cfs_periods_total' }, M.periods, periods, start, true);
    m.add(
      { resource, name: 'container_cpu_cfs_throttled_periods_total' },
      M.throttled,
      Math.round(periods * Math.min(0.98, Math.max(0, busy - 0.7))),
      start,
      true,
    );
  }
  const app = w.spec.logFormat;
  if (app !== 'node' && app !== 'java' && app !== 'go' && app !== 'python') return;
  m.gauge(
    { resource, name: 'process_resident_memory_bytes' },
    M.processRss,
    Math.round(c.memoryBytes * 0.95),
  );
  m.gauge({ resource, name: 'process_start_time_seconds' }, M.processStart, Math.floor(start / 1000));
  if (app === 'node') {
    m.gauge({ resource, name: 'nodejs_heap_size_used_bytes' }, M.heap, Math.round(c.memoryBytes * 0.7));
    m.gauge(
      { resource, name: 'nodejs_eventloop_lag_seconds' },
      M.lag,
      Math.round(rt.rng.logNormal(0.004, 0.5) * 1e6) / 1e6,
    );
  } else if (app === 'java') {
    m.gauge(
      { resource, name: 'jvm_memory_used_bytes', attrs: { area: 'heap' } },
      M.heap,
      Math.round(c.memoryBytes * 0.62),
    );
    m.gauge({ resource, name: 'jvm_threads_live_threads' }, M.threads, rt.rng.int(38, 52));
  } else if (app === 'go') {
    m.gauge({ resource, name: 'go_memstats_heap_alloc_bytes' }, M.heap, Math.round(c.memoryBytes * 0.55));
    m.gauge({ resource, name: 'go_goroutines' }, M.threads, rt.rng.int(24, 60));
  }
}
