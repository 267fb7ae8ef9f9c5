import { createHmac } from 'node:crypto';
import type { ObjectSnapshot } from '@sleuth/core';

/** Alert payloads as Alertmanager and Grafana send them, and a small healthy workload to point at. */

export interface AmAlertInput {
  status?: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint?: string;
}

/** An Alertmanager webhook body (payload version 4). */
export function alertmanagerPayload(
  alerts: AmAlertInput[],
  over: { groupKey?: string; groupLabels?: Record<string, string>; receiver?: string } = {},
): Record<string, unknown> {
  const status = alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
  return {
    receiver: over.receiver ?? 'sleuth',
    status,
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
      fingerprint:
        a.fingerprint ?? `fp${Object.values(a.labels).join('').length.toString(16).padStart(14, '0')}`,
    })),
    groupLabels: over.groupLabels ?? { alertname: alerts[0]?.labels.alertname ?? 'x' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: over.groupKey ?? '{}:{alertname="x"}',
    truncatedAlerts: 0,
  };
}

/** Grafana's hex HMAC-SHA256 of `timestamp:body` (or of the body alone without a timestamp). */
export function sign(secret: string, body: string, timestamp?: string): string {
  return createHmac('sha256', secret)
    .update(timestamp === undefined ? body : `${timestamp}:${body}`)
    .digest('hex');
}

/**
 * Deployment `checkout` (or `name`) in namespace `shop` of `cluster`: its ReplicaSet, `pods`
 * running pods (IPs 10.1.0.1...), Service of the same name selecting them, and node `node-a`
 * (10.0.0.5) they run on.
 */
export function checkoutWorkload(
  cluster: string,
  timeMs: number,
  pods = 3,
  name = 'checkout',
): ObjectSnapshot[] {
  const ns = 'shop';
  const snap = (
    kind: string,
    apiVersion: string,
    object: Record<string, unknown>,
    namespaced = true,
  ): ObjectSnapshot => {
    const meta = object.metadata as { name: string };
    return {
      ref: { cluster, ...(namespaced ? { namespace: ns } : {}), kind, name: meta.name },
      apiVersion,
      timeMs,
      deleted: false,
      object: { kind, apiVersion, ...object },
    };
  };
  const container = { name, image: `reg/${name}:2.4.1`, ports: [{ containerPort: 8080 }] };
  const out: ObjectSnapshot[] = [
    snap(
      'Node',
      'v1',
      {
        metadata: { name: 'node-a', uid: `${cluster}-n` },
        status: {
          addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
      false,
    ),
    snap('Deployment', 'apps/v1', {
      metadata: { name, namespace: ns, uid: `${cluster}-${name}-d`, generation: 1 },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: name } },
        template: { spec: { containers: [container] } },
      },
      status: { replicas: pods, readyReplicas: pods, availableReplicas: pods, observedGeneration: 1 },
    }),
    snap('ReplicaSet', 'apps/v1', {
      metadata: {
        name: `${name}-5d8f`,
        namespace: ns,
        uid: `${cluster}-${name}-rs`,
        ownerReferences: [{ kind: 'Deployment', name, uid: `${cluster}-${name}-d`, controller: true }],
      },
    }),
    snap('Service', 'v1', {
      metadata: { name, namespace: ns, uid: `${cluster}-${name}-s` },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
    }),
  ];
  for (let i = 1; i <= pods; i++) {
    out.push(
      snap('Pod', 'v1', {
        metadata: {
          name: `${name}-5d8f-p${i}`,
          namespace: ns,
          uid: `${cluster}-${name}-p${i}`,
          labels: { app: name },
          ownerReferences: [
            { kind: 'ReplicaSet', name: `${name}-5d8f`, uid: `${cluster}-${name}-rs`, controller: true },
          ],
        },
        spec: { nodeName: 'node-a', containers: [container] },
        status: {
          phase: 'Running',
          podIP: `10.1.0.${i}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name, ready: true, restartCount: 0, state: { running: {} } }],
        },
      }),
    );
  }
  return out;
}
