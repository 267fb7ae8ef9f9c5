import type { LogFormat } from '../fleet/types';
import { nextVersion, startRollout } from '../model/rollout';
import { currentRevision, type AppError, type RevisionState, type WorkloadState } from '../model/state';
import type { FaultBehavior } from './fault-behavior';

/** The regression each runtime's new build ships, as its own stack trace shows it. */
const REGRESSIONS: Partial<Record<LogFormat, AppError>> = {
  node: {
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'currency')",
    frames: [
      '    at priceCart (/app/dist/cart/pricing.js:58:31)',
      '    at CheckoutController.create (/app/dist/checkout/controller.js:41:22)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ],
  },
  go: {
    type: 'runtime.Error',
    message: 'runtime error: index out of range [3] with length 3',
    frames: [
      'goroutine 4127 [running]:',
      'example.com/shop/catalog/internal/product.(*Store).Variants(...)',
      '\t/src/internal/product/store.go:212 +0x1c4',
      'example.com/shop/catalog/internal/http.(*Handler).GetProduct(...)',
      '\t/src/internal/http/products.go:64 +0x2a8',
    ],
  },
  java: {
    type: 'java.lang.NullPointerException',
    message:
      'Cannot invoke "com.example.payments.fx.Rate.apply(java.math.BigDecimal)" because "rate" is null',
    frames: [
      '\tat com.example.payments.charge.ChargeService.convert(ChargeService.java:88)',
      '\tat com.example.payments.charge.ChargeService.authorize(ChargeService.java:44)',
      '\tat com.example.payments.charge.ChargeController.create(ChargeController.java:33)',
    ],
  },
};

/** The last revision before `rev` that ran without a defect (what `kubectl rollout undo` picks). */
function previousGood(w: WorkloadState, rev: RevisionState): RevisionState | undefined {
  const i = w.revisions.indexOf(rev);
  return w.revisions
    .slice(0, Math.max(0, i))
    .reverse()
    .find((r) => r.template.defect === undefined);
}

/**
 * bad_rollout: a new image version ships a regression. The rollout completes (the pods start and
 * pass their probes), then about one request in ten fails with 500 (the runtime's unhandled-error
 * log with its stack trace, an ERROR server span with the exception) and every request is about
 * three times slower; `service.version` on every signal names the new version. Nothing crashes.
 * At the end the previous version is rolled back (`kubectl rollout undo`).
 */
export const badRollout: FaultBehavior = {
  unsupported: (w) => {
    if (w.spec.kind !== 'Deployment') {
      return `bad_rollout rolls out a new ReplicaSet, so it needs a Deployment; ${w.spec.name} is a ${w.spec.kind}`;
    }
    if (w.spec.component !== 'api' || REGRESSIONS[w.spec.logFormat] === undefined) {
      return `bad_rollout needs an HTTP API written in Node.js, Go or Java; ${w.spec.name} is not one (role: ${w.spec.component})`;
    }
    return undefined;
  },
  describe: (w) =>
    `${w.spec.name} ${nextVersion(currentRevision(w).template.version)} ships a regression: about 10% of requests fail with 500 and latency triples, without crashing.`,
  begin(rt, w, atMs) {
    const exception = REGRESSIONS[w.spec.logFormat];
    if (!exception) return;
    const version = nextVersion(currentRevision(w).template.version);
    const defect = { errorRate: rt.rng.float(0.08, 0.12), latencyFactor: rt.rng.float(2.6, 3.4), exception };
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}`, defect }, w.spec.replicas);
  },
  end(rt, w, atMs) {
    const current = currentRevision(w);
    const good = previousGood(w, current);
    const version = good?.template.version ?? nextVersion(current.template.version);
    startRollout(rt, w, atMs, { version, image: `${w.spec.image}:${version}` }, w.spec.replicas);
  },
};
