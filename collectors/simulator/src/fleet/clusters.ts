import type { ClusterSpec } from './types';
import { shopWorkloads } from './workloads';

const NAMESPACES = ['kube-system', 'web', 'shop', 'payments', 'workers', 'data'];

/**
 * The simulated fleet: the same shop running in two regions, each on its own EKS-like cluster.
 * Six namespaces per cluster, a dozen in all; prod-us takes more traffic and runs more replicas.
 */
export function defaultFleet(): ClusterSpec[] {
  return [
    {
      name: 'prod-eu',
      region: 'eu-west-1',
      zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      nodeCount: 4,
      instanceType: 'm6i.xlarge',
      nodeCpuCores: 4,
      nodeMemoryGi: 16,
      netOctet: 20,
      utcOffsetHours: 1,
      baseRps: 38,
      namespaces: NAMESPACES,
      workloads: shopWorkloads(),
      entry: 'storefront',
    },
    {
      name: 'prod-us',
      region: 'us-east-1',
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      nodeCount: 5,
      instanceType: 'm6i.xlarge',
      nodeCpuCores: 4,
      nodeMemoryGi: 16,
      netOctet: 40,
      utcOffsetHours: -5,
      baseRps: 46,
      namespaces: NAMESPACES,
      workloads: shopWorkloads({ storefront: 4, 'checkout-api': 4, 'catalog-api': 3 }),
      entry: 'storefront',
    },
  ];
}
