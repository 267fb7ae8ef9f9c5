import { k8sTime } from '../clock';
import type { HpaCondition, HpaState, WorkloadState } from '../model/state';
import { appLabels } from './render-pod';
import type { JsonValue, K8sObject } from './types';

function condition(type: string, c: HpaCondition): JsonValue {
  return {
    type,
    status: c.status,
    lastTransitionTime: k8sTime(c.lastTransitionMs),
    reason: c.reason,
    message: c.message,
  };
}

/** Renders an autoscaling/v2 HorizontalPodAutoscaler on a workload's CPU utilisation. */
export function renderHpa(w: WorkloadState, hpa: HpaState): K8sObject {
  const current =
    hpa.currentUtilization === undefined
      ? []
      : [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              current: {
                averageUtilization: hpa.currentUtilization,
                averageValue: `${hpa.currentMilli ?? 0}m`,
              },
            },
          },
        ];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: hpa.name,
      namespace: w.spec.namespace,
      uid: hpa.uid,
      creationTimestamp: k8sTime(hpa.createdMs),
      labels: appLabels(w.spec),
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: w.spec.kind, name: w.spec.name },
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: hpa.targetUtilization },
          },
        },
      ],
    },
    status: {
      ...(hpa.lastScaleMs === undefined ? {} : { lastScaleTime: k8sTime(hpa.lastScaleMs) }),
      currentReplicas: w.spec.replicas,
      desiredReplicas: hpa.desiredReplicas,
      currentMetrics: current,
      conditions: [
        condition('AbleToScale', hpa.ableToScale),
        condition('ScalingActive', hpa.scalingActive),
        condition('ScalingLimited', hpa.scalingLimited),
      ],
    },
  };
}
