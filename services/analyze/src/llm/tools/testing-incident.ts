import type { Anomaly, Incident, ResourceRef } from '@sleuth/core';
import { CART, CART_CONFIG, CART_POD, CART_SVC, MIN, NOW, ref } from './testing-objects';

/** The fleet's findings: the anomalies detected and the incident open over them. */

const anomaly = (
  id: string,
  detector: string,
  resource: ResourceRef,
  onsetAgoMs: number,
  title: string,
  endAgoMs?: number,
): Anomaly => ({
  id,
  detector,
  resource,
  signal: { kind: 'anomaly', id },
  onsetMs: NOW - onsetAgoMs,
  lastSeenMs: NOW - (endAgoMs ?? MIN),
  ...(endAgoMs === undefined ? {} : { endMs: NOW - endAgoMs }),
  score: 0.9,
  title,
  explanation: title,
});

export const ANOMALIES = [
  anomaly(
    'an-logs-cart',
    'log-template',
    CART,
    18 * MIN,
    'New error template in cart: redis timeout after <*>ms on GET <*>',
  ),
  anomaly('an-red-cart', 'red', CART_SVC, 17 * MIN, 'Error rate of service cart rose to 33%'),
  anomaly('an-crash-cart', 'pod-restarts', CART_POD, 15 * MIN, 'Pod cart-7d9f8-abc12 is in CrashLoopBackOff'),
  anomaly(
    'an-old-web',
    'red',
    ref('Deployment', 'web', 'blog'),
    2 * 24 * 60 * MIN,
    'Old web latency',
    2 * 24 * 60 * MIN - 60 * MIN,
  ),
];

export function incident(redisLogId: string): Incident {
  return {
    id: 'inc-cart',
    title: 'cart failing: redis timeouts after config change',
    status: 'open',
    severity: 'high',
    startMs: NOW - 18 * MIN,
    updatedMs: NOW - 2 * MIN,
    resources: [CART, CART_SVC, CART_POD],
    anomalyIds: ['an-logs-cart', 'an-red-cart', 'an-crash-cart'],
    rootCauses: [
      {
        id: 'rc-1',
        failureMode: 'config-change',
        resource: CART_CONFIG,
        hypothesis: 'TIMEOUT_MS in cart-config went from 500 to 50, so redis calls time out',
        confidence: 0.8,
        rank: 1,
        origin: 'rules',
        evidence: [
          {
            signal: { kind: 'object', ref: CART_CONFIG, timeMs: NOW - 30 * MIN, field: 'data.TIMEOUT_MS' },
            summary: 'cart-config TIMEOUT_MS changed 500 → 50',
          },
          { signal: { kind: 'log', ids: [redisLogId] }, summary: 'redis timeout after 50ms' },
        ],
        remediation: {
          steps: ['Set TIMEOUT_MS in cart-config back to 500 and restart cart'],
          commands: ['kubectl -n shop get configmap cart-config -o yaml'],
        },
      },
    ],
  };
}
