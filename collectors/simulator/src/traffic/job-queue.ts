import type { EndpointSpec } from '../fleet/types';
import type { DependencyFailure } from '../logs/dialect';
import { dialectOf, logContext, writeContainerLines } from '../logs/container-logs';
import { recordJob } from '../metrics/app-metrics';
import { readyAt, runningAt, stopsBetween } from '../model/history';
import type { ClusterRuntime } from '../model/runtime';
import type { PodState, QueuedJob, WorkloadState } from '../model/state';
import { callDependency, type RequestScope } from './call-engine';
import { emitSpan, exceptionFor } from './spans';

const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 5000;
/** Jobs one worker pod finishes per second at most (4 concurrent workers). */
const JOBS_PER_POD_SECOND = 25;

interface TaskTrace {
  traceId: string;
  parentSpanId?: string;
  sampled: boolean;
  /** Queue job id and delivery count, for consumer spans and logs. */
  job?: QueuedJob;
}

/**
 * One background task (a queue job or a scheduled task) on a worker pod: its calls, its span,
 * its log lines and metrics. Returns undefined when the process died mid-task (nothing is
 * acknowledged or logged), otherwise whether it succeeded and when it finished.
 */
function runTask(
  rt: ClusterRuntime,
  w: WorkloadState,
  pod: PodState,
  endpoint: EndpointSpec,
  startMs: number,
  trace: TaskTrace,
): { ok: boolean; endMs: number } | undefined {
  const scope: RequestScope = {
    rt,
    traceId: trace.traceId,
    sampled: trace.sampled,
    userAgent: 'rq/1.16',
    params: { id: 0, asset: '' },
  };
  const spanId = rt.rng.hex(16);
  let cursor = startMs + rt.rng.logNormal(endpoint.latencyMs * 0.4, 0.3);
  let failure: DependencyFailure | undefined;
  for (const call of endpoint.calls) {
    const result = callDependency(scope, w, pod, call, cursor, spanId);
    cursor += result.durationMs;
    if (!result.ok) {
      failure = result.failure;
      break;
    }
  }
  const endMs = cursor + rt.rng.logNormal(endpoint.latencyMs * 0.6, 0.3);
  if (stopsBetween(pod.container, startMs, endMs) !== undefined) return undefined;
  const queue = trace.job ? endpoint.route : undefined;
  if (trace.sampled) {
    emitSpan(rt, w, pod, {
      traceId: trace.traceId,
      spanId,
      ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
      name: `${queue ? 'process' : 'run'} ${endpoint.route}`,
      kind: queue ? 'consumer' : 'internal',
      startMs,
      endMs,
      attributes: trace.job
        ? {
            'messaging.system': 'redis',
            'messaging.destination.name': endpoint.route,
            'messaging.operation.type': 'process',
            'messaging.message.id': trace.job.id,
            'messaging.message.delivery_count': trace.job.attempt,
          }
        : { 'code.function': endpoint.route },
      ...(failure
        ? {
            error: {
              message: exceptionFor('python', failure).message,
              exception: exceptionFor('python', failure),
            },
          }
        : {}),
    });
  }
  const lines = dialectOf(w).request(logContext(rt, w, pod, startMs), {
    method: endpoint.method,
    route: endpoint.route,
    path: endpoint.route,
    status: failure ? 500 : 200,
    durationMs: endMs - startMs,
    bytes: 0,
    clientIp: '',
    userAgent: scope.userAgent,
    requestId: trace.job ? `${trace.job.id.slice(0, 12)}${trace.job.orderId}` : rt.rng.hex(22),
    ...(trace.sampled ? { traceId: trace.traceId, spanId } : {}),
    ...(failure ? { failure } : {}),
    ...(trace.job ? { attempt: trace.job.attempt, maxAttempts: MAX_ATTEMPTS } : {}),
  });
  writeContainerLines(
    rt,
    w,
    pod,
    startMs,
    lines,
    trace.sampled ? { traceId: trace.traceId, spanId } : undefined,
  );
  recordJob(rt, w, pod, endpoint.route, !failure, endMs - startMs);
  return { ok: !failure, endMs };
}

// A worker on a node that died is still listed as ready for a while, but its process is gone.
const upAt = (p: PodState, t: number): boolean =>
  readyAt(p.container, t) && runningAt(p.container, t) && p.deletingAtMs === undefined;

/**
 * The worker consumes its queue over (fromMs, toMs]: each due job goes to a worker pod that is up
 * at that moment and is acknowledged, retried later (up to 3 attempts) or moved to the failed
 * registry. Jobs wait while no worker is up; the backlog drains when one returns.
 */
export function consumeQueue(rt: ClusterRuntime, w: WorkloadState, fromMs: number, toMs: number): void {
  const queue = w.spec.consumes;
  const jobs = queue === undefined ? undefined : rt.state.queues.get(queue);
  const endpoint = w.spec.endpoints.find((e) => e.method === 'PROCESS');
  if (queue === undefined || !jobs || !endpoint) return;
  const limit = JOBS_PER_POD_SECOND * ((toMs - fromMs) / 1000);
  const budget = new Map<PodState, number>();
  const keep: QueuedJob[] = [];
  for (const job of jobs) {
    const t = Math.max(job.notBeforeMs, fromMs) + rt.rng.float(2, 40);
    const pods =
      job.notBeforeMs > toMs || t > toMs
        ? []
        : w.pods.filter((p) => upAt(p, t) && (budget.get(p) ?? 0) < limit);
    const pod = pods.length > 0 ? rt.rng.pick(pods) : undefined;
    if (!pod) {
      keep.push(job);
      continue;
    }
    budget.set(pod, (budget.get(pod) ?? 0) + 1);
    const done = runTask(rt, w, pod, endpoint, t, {
      traceId: job.traceId,
      parentSpanId: job.parentSpanId,
      sampled: job.sampled,
      job,
    });
    // A worker killed mid-job never acknowledges it; the job is delivered again.
    if (!done) keep.push({ ...job, notBeforeMs: t + RETRY_DELAY_MS });
    else if (!done.ok && job.attempt < MAX_ATTEMPTS)
      keep.push({ ...job, attempt: job.attempt + 1, notBeforeMs: done.endMs + RETRY_DELAY_MS });
  }
  rt.state.queues.set(queue, keep);
}

/** Periodic tasks (`SCHEDULE` endpoints) due in (fromMs, toMs], each run by one worker pod that is up. */
export function runScheduledTasks(rt: ClusterRuntime, w: WorkloadState, fromMs: number, toMs: number): void {
  for (const endpoint of w.spec.endpoints) {
    if (endpoint.method !== 'SCHEDULE' || endpoint.everySeconds === undefined) continue;
    const every = endpoint.everySeconds * 1000;
    for (let t = Math.floor(fromMs / every) * every + every; t <= toMs; t += every) {
      const pod = w.pods.find((p) => upAt(p, t));
      if (pod)
        runTask(rt, w, pod, endpoint, t + rt.rng.float(0, 50), {
          traceId: rt.rng.hex(32),
          sampled: rt.rng.chance(rt.traceSampleRatio),
        });
    }
  }
}
