import type { ClusterRuntime } from '../model/runtime';
import type { HpaState, WorkloadState } from '../model/state';
import type { ResourceAttrs } from '../otlp/requests';
import type { MetricInfo } from './series-registry';

const GAUGE: MetricInfo = { unit: '1', description: 'HorizontalPodAutoscaler state (kube-state-metrics).' };

/** Resource attributes of an HPA's kube-state-metrics series. */
function hpaResource(cluster: string, w: WorkloadState, hpa: HpaState): ResourceAttrs {
  return { 'k8s.cluster.name': cluster, 'k8s.namespace.name': w.spec.namespace, 'k8s.hpa.name': hpa.name };
}

/**
 * kube-state-metrics' series of the cluster's HorizontalPodAutoscalers: min and max replicas, the
 * target metric, current and desired replicas, and the conditions.
 */
export function scrapeHpaMetrics(rt: ClusterRuntime): void {
  for (const w of rt.state.workloads) {
    const hpa = w.hpa;
    if (!hpa) continue;
    const resource = hpaResource(rt.name, w, hpa);
    const g = (name: string, value: number, attrs?: Record<string, string>): void =>
      rt.metrics.gauge({ resource, name, ...(attrs ? { attrs } : {}) }, GAUGE, value);
    g('kube_horizontalpodautoscaler_spec_min_replicas', hpa.minReplicas);
    g('kube_horizontalpodautoscaler_spec_max_replicas', hpa.maxReplicas);
    g('kube_horizontalpodautoscaler_spec_target_metric', hpa.targetUtilization, {
      metric_name: 'cpu',
      metric_target_type: 'utilization',
    });
    g('kube_horizontalpodautoscaler_status_current_replicas', w.spec.replicas);
    g('kube_horizontalpodautoscaler_status_desired_replicas', hpa.desiredReplicas);
    const conditions = [
      ['AbleToScale', hpa.ableToScale.status],
      ['ScalingActive', hpa.scalingActive.status],
      ['ScalingLimited', hpa.scalingLimited.status],
    ] as const;
    for (const [condition, current] of conditions) {
      for (const status of ['true', 'false', 'unknown'])
        g('kube_horizontalpodautoscaler_status_condition', status === current.toLowerCase() ? 1 : 0, {
          condition,
          status,
        });
    }
  }
}
