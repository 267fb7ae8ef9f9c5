import { observeCluster } from './k8s/observe';
import { dialectOf, logContext, writeContainerLines } from './logs/container-logs';
import { scrapeExporterMetrics } from './metrics/exporter-metrics';
import { scrapeKubeMetrics } from './metrics/kube-metrics';
import { runAutoscalers } from './model/autoscaler';
import { reconcileCluster, removeGonePods } from './model/controllers';
import { runningAt } from './model/history';
import { advancePod } from './model/kubelet';
import { podResource } from './model/resources';
import type { ClusterRuntime } from './model/runtime';
import type { FaultManager } from './faults/fault-manager';
import type { ApiChange } from './model/outbox';
import type { PendingLog, PendingMetric, PendingSpan } from './otlp/requests';
import { runEntryTraffic } from './traffic/entry-traffic';
import { consumeQueue, runScheduledTasks } from './traffic/job-queue';

/** Everything one cluster's collector exports for one tick. */
export interface ClusterTickOutput {
  cluster: string;
  logs: PendingLog[];
  metrics: PendingMetric[];
  spans: PendingSpan[];
  /** The same object and event changes as the k8sobjects/k8sevents log records, as API changes. */
  api: ApiChange[];
}

/** Lines each running container writes regardless of traffic (checkpoints, heartbeats ...). */
function backgroundLogs(rt: ClusterRuntime, fromMs: number, toMs: number): void {
  const seconds = (toMs - fromMs) / 1000;
  for (const w of rt.state.workloads) {
    for (const pod of w.pods) {
      if (!runningAt(pod.container, fromMs) && !runningAt(pod.container, toMs)) continue;
      const lines = dialectOf(w).background(logContext(rt, w, pod, fromMs), seconds);
      if (lines.length > 0) writeContainerLines(rt, w, pod, fromMs, lines);
    }
  }
}

/**
 * Simulates the window (fromMs, toMs] of every cluster and returns what each cluster's collector
 * would export: fault starts and ends, the kubelet, end-user traffic through the call graph, queue
 * consumers, background logs, autoscalers and controllers, a metrics scrape at `toMs`, and the object watch.
 * `bootstrap` first announces every object (ADDED at `fromMs`); `resync` re-sends all objects.
 */
export function runTick(
  clusters: readonly ClusterRuntime[],
  faults: FaultManager,
  window: { fromMs: number; toMs: number },
  opts: { bootstrap: boolean; resync: boolean },
): ClusterTickOutput[] {
  const { fromMs, toMs } = window;
  const seconds = (toMs - fromMs) / 1000;
  if (opts.bootstrap) for (const rt of clusters) observeCluster(rt, fromMs);
  faults.advance(fromMs, toMs);
  return clusters.map((rt) => {
    for (const w of rt.state.workloads) for (const pod of w.pods) advancePod(rt, w, pod, fromMs, toMs);
    runEntryTraffic(rt, fromMs, toMs);
    for (const w of rt.state.workloads) {
      if (w.spec.consumes) consumeQueue(rt, w, fromMs, toMs);
      runScheduledTasks(rt, w, fromMs, toMs);
    }
    backgroundLogs(rt, fromMs, toMs);
    runAutoscalers(rt, fromMs, toMs);
    reconcileCluster(rt, toMs);
    scrapeKubeMetrics(rt, toMs, seconds);
    scrapeExporterMetrics(rt, toMs, seconds);
    const metrics = rt.metrics.scrape(toMs);
    const gone = removeGonePods(rt, toMs);
    for (const { workload, pod } of gone) rt.metrics.dropResource(podResource(rt.name, workload, pod));
    if (gone.length > 0) rt.events.forget(new Set(gone.map((g) => g.pod.uid)));
    observeCluster(rt, toMs);
    rt.watch.flush(rt.outbox, toMs, opts.resync);
    const { logs, spans, api } = rt.outbox.take();
    return { cluster: rt.name, logs, metrics, spans, api };
  });
}
