import { orderWorker, paymentsApi } from './backend-apps';
import { coredns, postgres, redis } from './platform-workloads';
import { catalogApi, checkoutApi, storefront } from './shop-apps';
import type { WorkloadSpec } from './types';

/** The APIs with a HorizontalPodAutoscaler, and the CPU utilisation (percent of request) it targets. */
const AUTOSCALED: Readonly<Record<string, number>> = { 'checkout-api': 50, 'catalog-api': 50 };

/**
 * Every workload of one cluster; `replicas` overrides the default replica count by workload name.
 * The autoscaled APIs get an HPA from their replica count (its minimum) to twice that.
 */
export function shopWorkloads(replicas: Readonly<Record<string, number>> = {}): WorkloadSpec[] {
  return [coredns, storefront, checkoutApi, catalogApi, paymentsApi, orderWorker, postgres, redis].map(
    (w) => {
      const count = replicas[w.name] ?? w.replicas;
      const target = AUTOSCALED[w.name];
      return {
        ...w,
        replicas: count,
        ...(target === undefined
          ? {}
          : { autoscaling: { maxReplicas: count * 2, targetCpuUtilization: target } }),
      };
    },
  );
}
