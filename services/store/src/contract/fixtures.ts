import {
  emptyBatch,
  type K8sEvent,
  type LogRecord,
  type MetricPoint,
  type ObjectSnapshot,
  type SignalBatch,
  type SignalSource,
  type Span,
} from '@sleuth/core';

/** A fixed moment all fixtures are relative to: 2025-03-01T12:00:00Z. */
export const T0 = Date.UTC(2025, 2, 1, 12, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export const CART_EU: SignalSource = {
  cluster: 'prod-eu',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload: 'cart',
  pod: 'cart-7d9f-abc12',
  container: 'app',
  node: 'node-1',
  service: 'cart',
};
export const PAYMENTS_EU: SignalSource = {
  cluster: 'prod-eu',
  namespace: 'payments',
  workloadKind: 'Deployment',
  workload: 'payments-api',
  pod: 'payments-api-5c6-xyz99',
  container: 'api',
  node: 'node-2',
  service: 'payments',
};
export const CART_US: SignalSource = {
  cluster: 'prod-us',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload: 'cart',
  pod: 'cart-8aa-zz001',
  container: 'istio-proxy',
  service: 'cart',
};

/** A batch holding only the given records. */
export function batchOf(parts: Partial<SignalBatch>): SignalBatch {
  return { ...emptyBatch(), ...parts };
}

export function log(over: Partial<LogRecord> & Pick<LogRecord, 'timeMs' | 'body'>): LogRecord {
  return { source: CART_EU, severity: 'info', attributes: {}, ...over };
}

export function point(
  name: string,
  timeMs: number,
  value: number,
  over: Partial<MetricPoint> = {},
): MetricPoint {
  return { name, labels: {}, source: CART_EU, type: 'gauge', timeMs, value, ...over };
}

export function span(over: Partial<Span> & Pick<Span, 'spanId' | 'startMs'>): Span {
  const durationMs = over.durationMs ?? 10;
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    name: 'GET /api/cart',
    kind: 'server',
    service: 'cart',
    source: CART_EU,
    endMs: over.startMs + durationMs,
    durationMs,
    status: 'ok',
    attributes: {},
    ...over,
  };
}

export function event(over: Partial<K8sEvent> & Pick<K8sEvent, 'reason' | 'lastMs'>): K8sEvent {
  return {
    cluster: 'prod-eu',
    namespace: 'shop',
    involved: { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' },
    type: 'Warning',
    message: `${over.reason} happened`,
    count: 1,
    firstMs: over.lastMs,
    ...over,
  };
}

export function snapshot(over: Partial<ObjectSnapshot> & Pick<ObjectSnapshot, 'timeMs'>): ObjectSnapshot {
  return {
    ref: { cluster: 'prod-eu', namespace: 'shop', kind: 'Deployment', name: 'cart', uid: 'u-cart' },
    apiVersion: 'apps/v1',
    deleted: false,
    object: { metadata: { name: 'cart' }, spec: { replicas: 3 } },
    ...over,
  };
}
