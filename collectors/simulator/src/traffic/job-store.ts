import type { ClusterRuntime } from '../model/runtime';
import type { QueuedJob } from '../model/state';

/** Most jobs a queue holds; beyond it the oldest are dropped and counted. */
export const MAX_QUEUE_LENGTH = 50_000;

/** Adds a job to a Redis-backed queue (LPUSH), dropping the oldest if the queue is full. */
export function enqueueJob(rt: ClusterRuntime, queue: string, job: QueuedJob): void {
  let jobs = rt.state.queues.get(queue);
  if (!jobs) {
    jobs = [];
    rt.state.queues.set(queue, jobs);
  }
  jobs.push(job);
  if (jobs.length > MAX_QUEUE_LENGTH) {
    jobs.shift();
    rt.state.droppedJobs++;
  }
}
