import { endSurge, startSurge } from '../traffic/surge';
import type { FaultBehavior } from './fault-behavior';

/**
 * traffic_surge (benign): the workload's incoming request rate rises to two to three times normal
 * (more end-user requests on the routes that reach it, ramping up over a minute), so its callers'
 * and its own spans, access logs and request counters show more requests, CPU rises in
 * proportion and latency a little (queueing stays far from the pods' capacity). No errors. At the
 * end the load ramps back down over a minute.
 */
export const trafficSurge: FaultBehavior = {
  benign: true,
  unsupported: (w) =>
    w.spec.component === 'frontend' || w.spec.component === 'api'
      ? undefined
      : `traffic_surge adds end-user requests, so it needs a workload that serves them (the frontend or an API); ${w.spec.name} is a ${w.spec.component}`,
  describe: (w) =>
    `${w.spec.name} receives two to three times its normal request rate; it copes without errors.`,
  begin(rt, w, atMs) {
    startSurge(w, rt.rng.float(2, 3), atMs);
  },
  end(_rt, w, atMs) {
    endSurge(w, atMs);
  },
};
