import { getJson, type RequestOptions } from './http';
import type { ClusterInfo, ServerStatus } from './types';

export function getStatus(opts?: RequestOptions): Promise<ServerStatus> {
  return getJson<ServerStatus>('/status', {}, opts);
}

export async function listClusters(opts?: RequestOptions): Promise<ClusterInfo[]> {
  const body = await getJson<{ clusters: ClusterInfo[] }>('/clusters', {}, opts);
  return body.clusters;
}
