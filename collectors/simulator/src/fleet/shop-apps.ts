/** The shop's customer-facing workloads: web frontend, checkout and catalogue APIs. */
import { httpProbe, type EndpointSpec, type WorkloadSpec } from './types';

const REGISTRY = 'registry.example.com/shop';

const CATALOG_DB = 'catalog';
const PRODUCT_SELECT = 'SELECT id, name, price_cents, stock FROM products WHERE id = $1';
const PRODUCTS_LIST = 'SELECT id, name, price_cents FROM products ORDER BY popularity DESC LIMIT 24';

const storefrontEndpoints: EndpointSpec[] = [
  {
    method: 'GET',
    route: '/',
    weight: 30,
    latencyMs: 1.5,
    responseBytes: 18_400,
    calls: [{ kind: 'http', service: 'catalog-api', method: 'GET', route: '/api/products' }],
  },
  {
    method: 'GET',
    route: '/products/{id}',
    weight: 38,
    latencyMs: 1.2,
    responseBytes: 9_200,
    calls: [{ kind: 'http', service: 'catalog-api', method: 'GET', route: '/api/products/{id}' }],
  },
  { method: 'GET', route: '/static/{asset}', weight: 17, latencyMs: 0.6, responseBytes: 24_800, calls: [] },
  {
    method: 'GET',
    route: '/cart',
    weight: 6,
    latencyMs: 1.2,
    responseBytes: 4_100,
    calls: [{ kind: 'http', service: 'checkout-api', method: 'GET', route: '/api/cart' }],
  },
  {
    method: 'POST',
    route: '/checkout',
    weight: 6,
    latencyMs: 1.5,
    responseBytes: 1_300,
    calls: [{ kind: 'http', service: 'checkout-api', method: 'POST', route: '/api/checkout' }],
  },
];

/** The web frontend: nginx serving static assets and proxying to the APIs. */
export const storefront: WorkloadSpec = {
  name: 'storefront',
  namespace: 'web',
  kind: 'Deployment',
  component: 'frontend',
  logFormat: 'nginx',
  image: `${REGISTRY}/storefront`,
  version: '2.8.1',
  replicas: 3,
  port: 8080,
  portName: 'http',
  serviceName: 'storefront',
  cpuRequestMilli: 100,
  cpuLimitMilli: 500,
  memoryRequestMi: 64,
  memoryLimitMi: 128,
  memoryBaseline: 0.35,
  cpuIdleCores: 0.004,
  cpuPerRequest: 0.0009,
  env: [
    { name: 'UPSTREAM_CATALOG', from: 'configMap', value: 'http://catalog-api.shop.svc.cluster.local:8080' },
    {
      name: 'UPSTREAM_CHECKOUT',
      from: 'configMap',
      value: 'http://checkout-api.shop.svc.cluster.local:8080',
    },
  ],
  readinessProbe: httpProbe('/healthz'),
  livenessProbe: httpProbe('/healthz'),
  startupSeconds: 3,
  endpoints: storefrontEndpoints,
  processName: 'nginx',
};

/** Cart and checkout, in Node.js (pino JSON logs). */
export const checkoutApi: WorkloadSpec = {
  name: 'checkout-api',
  namespace: 'shop',
  kind: 'Deployment',
  component: 'api',
  logFormat: 'node',
  image: `${REGISTRY}/checkout-api`,
  version: '1.4.2',
  replicas: 3,
  port: 8080,
  portName: 'http',
  serviceName: 'checkout-api',
  cpuRequestMilli: 250,
  cpuLimitMilli: 1000,
  memoryRequestMi: 256,
  memoryLimitMi: 512,
  memoryBaseline: 0.55,
  cpuIdleCores: 0.01,
  cpuPerRequest: 0.012,
  capacityRps: 20,
  env: [
    { name: 'NODE_ENV', from: 'value', value: 'production' },
    {
      name: 'PAYMENTS_API_URL',
      from: 'configMap',
      value: 'http://payments-api.payments.svc.cluster.local:8080',
    },
    { name: 'REDIS_URL', from: 'configMap', value: 'redis://redis.data.svc.cluster.local:6379/0' },
    { name: 'SESSION_SECRET', from: 'secret' },
  ],
  requiredEnv: 'PAYMENTS_API_URL',
  readinessProbe: httpProbe('/health/ready'),
  livenessProbe: httpProbe('/health/live'),
  startupSeconds: 6,
  endpoints: [
    {
      method: 'GET',
      route: '/api/cart',
      weight: 1,
      latencyMs: 4,
      responseBytes: 3_900,
      calls: [{ kind: 'redis', service: 'redis', command: 'GET', key: 'cart:{session}' }],
    },
    {
      method: 'POST',
      route: '/api/checkout',
      weight: 1,
      latencyMs: 18,
      responseBytes: 1_100,
      calls: [
        { kind: 'redis', service: 'redis', command: 'GET', key: 'cart:{session}' },
        { kind: 'http', service: 'payments-api', method: 'POST', route: '/v1/charges' },
        { kind: 'redis', service: 'redis', command: 'LPUSH', key: 'queue:orders', enqueue: 'orders' },
      ],
    },
  ],
  processName: 'node',
};

/** Product catalogue, in Go (slog logfmt logs), cached in Redis. */
export const catalogApi: WorkloadSpec = {
  name: 'catalog-api',
  namespace: 'shop',
  kind: 'Deployment',
  component: 'api',
  logFormat: 'go',
  image: `${REGISTRY}/catalog-api`,
  version: '3.1.0',
  replicas: 2,
  port: 8080,
  portName: 'http',
  serviceName: 'catalog-api',
  cpuRequestMilli: 200,
  cpuLimitMilli: 1000,
  memoryRequestMi: 128,
  memoryLimitMi: 256,
  memoryBaseline: 0.4,
  cpuIdleCores: 0.003,
  cpuPerRequest: 0.002,
  capacityRps: 100,
  env: [
    { name: 'CATALOG_DB_URL', from: 'secret' },
    { name: 'REDIS_ADDR', from: 'configMap', value: 'redis.data.svc.cluster.local:6379' },
    { name: 'LOG_LEVEL', from: 'configMap', value: 'info' },
  ],
  requiredEnv: 'CATALOG_DB_URL',
  readinessProbe: httpProbe('/readyz'),
  livenessProbe: httpProbe('/livez'),
  startupSeconds: 2,
  endpoints: [
    {
      method: 'GET',
      route: '/api/products',
      weight: 1,
      latencyMs: 3,
      responseBytes: 16_000,
      calls: [
        { kind: 'redis', service: 'redis', command: 'GET', key: 'products:popular', optional: true },
        {
          kind: 'postgres',
          service: 'postgres',
          database: CATALOG_DB,
          operation: 'SELECT',
          table: 'products',
          statement: PRODUCTS_LIST,
          probability: 0.1,
        },
      ],
    },
    {
      method: 'GET',
      route: '/api/products/{id}',
      weight: 1,
      latencyMs: 2,
      responseBytes: 2_400,
      calls: [
        { kind: 'redis', service: 'redis', command: 'GET', key: 'product:{id}', optional: true },
        {
          kind: 'postgres',
          service: 'postgres',
          database: CATALOG_DB,
          operation: 'SELECT',
          table: 'products',
          statement: PRODUCT_SELECT,
          probability: 0.15,
        },
      ],
    },
  ],
  processName: 'catalog-api',
};
