/** Back-office workloads: the payments API and the order worker. */
import { httpProbe, type WorkloadSpec } from './types';

const REGISTRY = 'registry.example.com/shop';

/** Card charges, in Java/Spring Boot (multi-line stack traces on errors). */
export const paymentsApi: WorkloadSpec = {
  name: 'payments-api',
  namespace: 'payments',
  kind: 'Deployment',
  component: 'api',
  logFormat: 'java',
  image: `${REGISTRY}/payments-api`,
  version: '5.2.7',
  replicas: 2,
  port: 8080,
  portName: 'http',
  serviceName: 'payments-api',
  cpuRequestMilli: 500,
  cpuLimitMilli: 2000,
  memoryRequestMi: 768,
  memoryLimitMi: 1024,
  memoryBaseline: 0.7,
  cpuIdleCores: 0.02,
  cpuPerRequest: 0.03,
  capacityRps: 16,
  env: [
    { name: 'SPRING_PROFILES_ACTIVE', from: 'value', value: 'prod' },
    { name: 'JAVA_TOOL_OPTIONS', from: 'value', value: '-XX:MaxRAMPercentage=75' },
    { name: 'PAYMENTS_DB_URL', from: 'secret' },
    { name: 'PAYMENTS_DB_PASSWORD', from: 'secret' },
    { name: 'HIKARI_CONNECTION_TIMEOUT', from: 'configMap', value: '2000' },
  ],
  requiredEnv: 'PAYMENTS_DB_URL',
  readinessProbe: httpProbe('/actuator/health/readiness'),
  livenessProbe: httpProbe('/actuator/health/liveness'),
  startupSeconds: 14,
  endpoints: [
    {
      method: 'POST',
      route: '/v1/charges',
      weight: 1,
      latencyMs: 38,
      rejects: { status: 402, rate: 0.03 },
      responseBytes: 640,
      calls: [
        {
          kind: 'postgres',
          service: 'postgres',
          database: 'payments',
          operation: 'INSERT',
          table: 'charges',
          statement: 'INSERT INTO charges (order_id, amount_cents, currency, status) VALUES ($1, $2, $3, $4)',
        },
      ],
    },
  ],
  processName: 'java',
};

/** Order fulfilment, a Python worker consuming the `orders` queue in Redis. */
export const orderWorker: WorkloadSpec = {
  name: 'order-worker',
  namespace: 'workers',
  kind: 'Deployment',
  component: 'worker',
  logFormat: 'python',
  image: `${REGISTRY}/order-worker`,
  version: '0.9.4',
  replicas: 2,
  port: 9102,
  portName: 'metrics',
  serviceName: 'order-worker',
  cpuRequestMilli: 200,
  cpuLimitMilli: 1000,
  memoryRequestMi: 256,
  memoryLimitMi: 512,
  memoryBaseline: 0.45,
  cpuIdleCores: 0.008,
  cpuPerRequest: 0.02,
  env: [
    { name: 'ORDERS_DB_URL', from: 'secret' },
    { name: 'REDIS_URL', from: 'configMap', value: 'redis://redis.data.svc.cluster.local:6379/1' },
    { name: 'WORKER_CONCURRENCY', from: 'value', value: '4' },
  ],
  requiredEnv: 'ORDERS_DB_URL',
  readinessProbe: httpProbe('/healthz'),
  startupSeconds: 4,
  consumes: 'orders',
  endpoints: [
    {
      method: 'PROCESS',
      route: 'orders',
      weight: 1,
      latencyMs: 55,
      responseBytes: 0,
      calls: [
        {
          kind: 'postgres',
          service: 'postgres',
          database: 'orders',
          operation: 'UPDATE',
          table: 'orders',
          statement: 'UPDATE orders SET status = $1, updated_at = now() WHERE id = $2',
        },
      ],
    },
    {
      method: 'SCHEDULE',
      route: 'sweep-stale-orders',
      weight: 0,
      latencyMs: 12,
      responseBytes: 0,
      everySeconds: 30,
      calls: [
        {
          kind: 'postgres',
          service: 'postgres',
          database: 'orders',
          operation: 'SELECT',
          table: 'orders',
          statement:
            "SELECT id FROM orders WHERE status = 'pending' AND created_at < now() - interval '10 minutes'",
        },
      ],
    },
  ],
  processName: 'python3',
};
