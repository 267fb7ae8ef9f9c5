import { orderWorker, paymentsApi } from './backend-apps';
import { coredns, postgres, redis } from './platform-workloads';
import { catalogApi, checkoutApi, storefront } from './shop-apps';
import type { WorkloadSpec } from './types';

/** Every workload of one cluster; `replicas` overrides the default replica count by workload name. */
export function shopWorkloads(replicas: Readonly<Record<string, number>> = {}): WorkloadSpec[] {
  return [coredns, storefront, checkoutApi, catalogApi, paymentsApi, orderWorker, postgres, redis].map(
    (w) => ({
      ...w,
      replicas: replicas[w.name] ?? w.replicas,
    }),
  );
}
