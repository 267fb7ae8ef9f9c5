import type {
  K8sEvent,
  LogRecord,
  MetricPoint,
  ResourceRef,
  Severity,
  SignalSource,
  Span,
} from '@sleuth/core';
import { CART, CART_POD, CART_POD_2, CHECKOUT_POD, CLUSTER, MIN, NOW, ref } from './testing-objects';

/** The fleet's telemetry: logs, metric series, traces and Kubernetes events. */

const source = (p: ResourceRef, workload: string): SignalSource => ({
  cluster: CLUSTER,
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload,
  pod: p.name,
  container: workload,
  node: 'node-a',
  service: workload,
});

const line = (
  p: ResourceRef,
  workload: string,
  agoMs: number,
  severity: Severity,
  body: string,
): LogRecord => ({
  timeMs: NOW - agoMs,
  source: source(p, workload),
  severity,
  body,
  attributes: {},
});

export function logs(): LogRecord[] {
  const out: LogRecord[] = [];
  // Before the default window: requests served, caches refreshed.
  for (let i = 0; i < 30; i++)
    out.push(
      line(CART_POD, 'cart', 61 * MIN + i * 2 * MIN, 'info', `GET /cart/${1000 + i} 200 in ${10 + i}ms`),
    );
  for (let i = 0; i < 5; i++)
    out.push(line(CART_POD, 'cart', 70 * MIN + i * MIN, 'info', `cache refreshed ${200 + i} keys`));
  // In the window: the same requests, then redis timeouts after the config change.
  for (let i = 0; i < 20; i++)
    out.push(
      line(CART_POD, 'cart', 59 * MIN - i * 2 * MIN, 'info', `GET /cart/${2000 + i} 200 in ${12 + i}ms`),
    );
  for (let i = 0; i < 15; i++)
    out.push(
      line(CART_POD, 'cart', 18 * MIN - i * MIN, 'error', `redis timeout after 50ms on GET cart:${3000 + i}`),
    );
  out.push(line(CART_POD_2, 'cart', 90_000, 'warn', `slow request trace: ${'frame '.repeat(300)}`));
  for (let i = 0; i < 3; i++)
    out.push(
      line(
        CHECKOUT_POD,
        'checkout',
        (5 - i) * MIN,
        'error',
        'POST /checkout failed: upstream cart returned 503',
      ),
    );
  return out;
}

export function metrics(): MetricPoint[] {
  const out: MetricPoint[] = [];
  const src = source(CART_POD, 'cart');
  const labels = {
    cluster: CLUSTER,
    namespace: 'shop',
    workload: 'cart',
    pod: CART_POD.name,
    container: 'cart',
  };
  for (let m = 120; m >= 1; m--) {
    out.push({
      name: 'container_memory_working_set_bytes',
      labels,
      source: src,
      type: 'gauge',
      unit: 'By',
      timeMs: NOW - m * MIN,
      value: (100 + (120 - m)) * 2 ** 20,
    });
    // Counters: 10 requests/s served fine throughout; 5 errors/s from 17 minutes ago.
    const counts = { '200': (120 - m) * 600, '503': Math.max(0, 18 - m) * 300 };
    for (const [code, value] of Object.entries(counts))
      out.push({
        name: 'http_server_requests_total',
        labels: { ...labels, code },
        source: src,
        type: 'counter',
        timeMs: NOW - m * MIN,
        value,
      });
  }
  return out;
}

const TRACE_ERR = 'a'.repeat(32);
const TRACE_OK = 'b'.repeat(32);
const TRACE_OLD = 'c'.repeat(32);
export const TRACES = { error: TRACE_ERR, ok: TRACE_OK, old: TRACE_OLD };

function span(
  traceId: string,
  spanId: string,
  parent: string | undefined,
  service: 'cart' | 'checkout',
  name: string,
  startAgoMs: number,
  durationMs: number,
  error: boolean,
  extra: Partial<Span> = {},
): Span {
  const startMs = NOW - startAgoMs;
  return {
    traceId,
    spanId: spanId.padEnd(16, '0'),
    ...(parent ? { parentSpanId: parent.padEnd(16, '0') } : {}),
    name,
    kind: 'server',
    service,
    source: source(service === 'cart' ? CART_POD : CHECKOUT_POD, service),
    startMs,
    endMs: startMs + durationMs,
    durationMs,
    status: error ? 'error' : 'ok',
    attributes: {},
    ...extra,
  };
}

export function spans(): Span[] {
  return [
    span(TRACE_ERR, 'a1', undefined, 'checkout', 'POST /checkout', 10 * MIN, 820, true),
    span(TRACE_ERR, 'a2', 'a1', 'checkout', 'GET cart', 10 * MIN - 5, 810, true, { kind: 'client' }),
    span(TRACE_ERR, 'a3', 'a2', 'cart', 'GET /cart', 10 * MIN - 8, 800, true, {
      statusMessage: 'redis timeout',
    }),
    span(TRACE_ERR, 'a4', 'a3', 'cart', 'redis GET', 10 * MIN - 10, 780, true, {
      kind: 'client',
      attributes: { 'peer.service': 'redis' },
    }),
    span(TRACE_OK, 'b1', undefined, 'checkout', 'POST /checkout', 8 * MIN, 40, false),
    span(TRACE_OK, 'b2', 'b1', 'checkout', 'GET cart', 8 * MIN - 2, 30, false, { kind: 'client' }),
    span(TRACE_OK, 'b3', 'b2', 'cart', 'GET /cart', 8 * MIN - 4, 25, false),
    span(TRACE_OLD, 'c1', undefined, 'checkout', 'POST /checkout', 3 * 60 * MIN, 35, false),
  ];
}

const event = (
  involved: ResourceRef,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  lastAgoMs: number,
  count = 1,
): K8sEvent => ({
  uid: `ev-${involved.name}-${reason}`,
  cluster: involved.cluster,
  ...(involved.namespace ? { namespace: involved.namespace } : {}),
  involved,
  type,
  reason,
  message,
  count,
  firstMs: NOW - lastAgoMs - (count - 1) * MIN,
  lastMs: NOW - lastAgoMs,
});

export function events(): K8sEvent[] {
  return [
    event(
      CART_POD,
      'Warning',
      'BackOff',
      'Back-off restarting failed container cart in pod cart-7d9f8-abc12',
      2 * MIN,
      12,
    ),
    event(
      CART_POD_2,
      'Warning',
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      5 * MIN,
      3,
    ),
    event(CART, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set cart-7d9f8 to 3', 20 * MIN),
    event(
      CHECKOUT_POD,
      'Normal',
      'Pulled',
      'Container image "shop/checkout:1.5.0" already present',
      30 * MIN,
    ),
    event(
      ref('Pod', 'web-1', 'blog'),
      'Warning',
      'FailedScheduling',
      '0/3 nodes are available',
      3 * 60 * MIN,
    ),
  ];
}
