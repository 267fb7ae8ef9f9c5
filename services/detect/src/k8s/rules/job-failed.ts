import { clip, conditionOf, qualifiedName, readJob, timeMs } from '../kube-shapes';
import type { K8sRule } from '../rule';

/** A failure older than this when seen is history (failed Jobs are kept until cleaned up). */
const STALE_MS = 60 * 60_000;

/**
 * job-failed: a Job that failed (Failed condition True: BackoffLimitExceeded, DeadlineExceeded...),
 * or one still running whose pods have failed (status.failed > 0, rising as it retries). Ends
 * when the Job is deleted or succeeds (no pod active), or an hour after it failed.
 */
export const jobFailed: K8sRule = {
  kind: 'Job',
  evaluate(object, ctx) {
    const job = readJob(object);
    const name = qualifiedName(job.metadata);
    const conditions = job.status?.conditions;
    const failedPods = job.status?.failed ?? 0;
    const limit = job.spec?.backoffLimit;
    const tries = `${failedPods} failed pod${failedPods === 1 ? '' : 's'}${typeof limit === 'number' ? `, backoffLimit ${limit}` : ''}`;
    const failed = conditionOf(conditions, 'Failed');
    if (failed?.status === 'True') {
      const onsetMs = timeMs(failed.lastTransitionTime);
      if (onsetMs !== undefined && ctx.nowMs - onsetMs > STALE_MS) return [];
      return [
        {
          key: 'job',
          onsetMs,
          severity: 'high',
          title: `Job failed: ${name} (${failed.reason ?? 'Failed'}, ${tries})`,
          explanation: `Job ${name} failed${failed.lastTransitionTime ? ` at ${failed.lastTransitionTime}` : ''}: ${failed.reason ?? 'Failed'}, ${tries}.${failed.message ? ` ${clip(failed.message, 300)}` : ''}`,
          field: 'status.conditions[type=Failed].status',
        },
      ];
    }
    if (failedPods <= 0 || (job.status?.active ?? 0) <= 0) return [];
    return [
      {
        key: 'job',
        severity: 'medium',
        title: `Job retrying: ${name} (${tries})`,
        explanation: `Job ${name} is still running (${job.status?.active ?? 0} active) after ${tries}.`,
        field: 'status.failed',
      },
    ];
  },
};
