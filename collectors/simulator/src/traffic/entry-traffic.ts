import type { ClusterSpec, EndpointSpec } from '../fleet/types';
import type { ClusterRuntime } from '../model/runtime';
import { findWorkload } from '../model/state';
import { serve, type RequestScope } from './call-engine';
import { route } from './routing';
import { surgeRequests } from './surge';

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
];
const ASSETS = ['app.9f3c1a.js', 'vendor.1c8e2f.js', 'styles.4b2e7d.css', 'logo.svg', 'hero.5d1f0b.webp'];

/**
 * Requests per second reaching the cluster's entry workload at `atMs`: a daily curve peaking
 * mid-afternoon local time at 1.35x the mean and bottoming out before dawn at 0.65x.
 */
export function requestRate(cluster: ClusterSpec, atMs: number): number {
  const hour = (((atMs / 3_600_000 + cluster.utcOffsetHours) % 24) + 24) % 24;
  return cluster.baseRps * (1 + 0.35 * Math.cos((2 * Math.PI * (hour - 15)) / 24));
}

/**
 * Generates the end-user requests of (fromMs, toMs] (Poisson arrivals around the daily curve,
 * with per-tick noise), plus what surges aimed at a workload add, and sends each through the entry
 * workload's Service: the load balancer picks a ready pod, or the request fails at the edge when
 * there is none.
 */
export function runEntryTraffic(rt: ClusterRuntime, fromMs: number, toMs: number): void {
  const spec = rt.state.spec;
  const entry = findWorkload(rt.state, spec.entry);
  if (!entry) return;
  const seconds = (toMs - fromMs) / 1000;
  const rate = requestRate(spec, fromMs);
  const count = rt.rng.poisson(rate * seconds * rt.rng.logNormal(1, 0.08));
  const arrivals: { t: number; endpoint?: EndpointSpec }[] = [];
  for (let i = 0; i < count; i++) arrivals.push({ t: rt.rng.float(fromMs, toMs) });
  arrivals.push(...surgeRequests(rt, entry, rate, fromMs, toMs));
  arrivals.sort((a, b) => a.t - b.t);
  const endpoints = entry.spec.endpoints.map((e) => ({ weight: e.weight, value: e }));
  for (const { t, endpoint: asked } of arrivals) {
    const endpoint = asked ?? rt.rng.weighted(endpoints);
    const scope: RequestScope = {
      rt,
      traceId: rt.rng.hex(32),
      sampled: rt.rng.chance(rt.traceSampleRatio),
      userAgent: rt.rng.pick(USER_AGENTS),
      params: { id: rt.rng.int(1000, 9999), asset: rt.rng.pick(ASSETS) },
    };
    const routed = route(rt, entry, t);
    if (!routed.pod || routed.refused) continue;
    const lbIp = `10.${spec.netOctet}.${rt.rng.int(0, 2)}.${rt.rng.int(10, 250)}`;
    serve(scope, entry, routed.pod, endpoint, t, undefined, lbIp);
  }
}
