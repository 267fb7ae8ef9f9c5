import type { ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import { scheduleProblem } from './cron-schedule';
import type { Finding } from './finding';
import {
  at,
  clip,
  condition,
  controllerOf,
  fieldEvidence,
  logEvidence,
  nsFlag,
  num,
  text,
} from './object-fields';
import { lastTermination, podContainers } from './pod-containers';

const ERROR_LINE = /\b(error|exception|fatal|panic|failed|traceback)\b/i;

/**
 * Jobs that failed (backoff limit or deadline, with the last pod's exit and error line) and
 * CronJobs whose schedule cannot be parsed or whose latest Job failed.
 */
export const jobAnalyzer: Analyzer = {
  id: 'job',
  kinds: ['CronJob', 'Job'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const o = await ctx.object(ref);
    if (!o) return [];
    if (ref.kind === 'Job') return jobFailed(o, ctx);
    const out: Finding[] = [];
    const schedule = text(at(o.object, 'spec.schedule')) ?? '';
    const problem = scheduleProblem(schedule);
    if (problem) {
      out.push({
        analyzer: 'job',
        resource: ref,
        failureMode: 'invalid-schedule',
        title: `CronJob ${ref.name} has an invalid schedule "${clip(schedule, 100)}"`,
        explanation: `The CronJob controller cannot parse the schedule (${problem}), so the job never runs.`,
        evidence: [fieldEvidence(o, 'spec.schedule', `schedule "${clip(schedule, 100)}"`)],
        confidence: 0.95,
        remediation: {
          steps: [
            'Write the schedule as five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 daily.',
          ],
          commands: [`kubectl get cronjob ${ref.name}${nsFlag(ref)} -o jsonpath='{.spec.schedule}'`],
        },
      });
    }
    const jobs = (await ctx.objects(ref.cluster, 'Job', ref.namespace))
      .filter((j) => {
        const owner = controllerOf(j.object);
        return owner?.kind === 'CronJob' && owner.name === ref.name;
      })
      .sort((a, b) => startMs(b) - startMs(a));
    const latest = jobs[0];
    const failed = latest ? await jobFailed(latest, ctx) : [];
    const f = failed[0];
    if (latest && f) {
      const streak = jobs.findIndex((j) => condition(j.object, 'Failed')?.['status'] !== 'True');
      const n = streak === -1 ? jobs.length : streak;
      out.push({
        ...f,
        resource: ref,
        failureMode: 'cronjob-failing',
        title: `CronJob ${ref.name}: its last ${n} run${n === 1 ? '' : 's'} failed (latest Job ${latest.ref.name})`,
        explanation: `The latest run of CronJob ${ref.name} failed. ${f.explanation}`,
      });
    }
    return out;
  },
};

function startMs(job: ObjectSnapshot): number {
  const t = Date.parse(
    text(at(job.object, 'status.startTime')) ?? text(at(job.object, 'metadata.creationTimestamp')) ?? '',
  );
  return Number.isFinite(t) ? t : job.timeMs;
}

async function jobFailed(job: ObjectSnapshot, ctx: AnalysisContext): Promise<Finding[]> {
  const failed = condition(job.object, 'Failed');
  if (failed?.['status'] !== 'True') return [];
  const reason = text(failed['reason']) ?? 'Failed';
  const pods = (await ctx.objects(job.ref.cluster, 'Pod', job.ref.namespace))
    .filter((p) => {
      const owner = controllerOf(p.object);
      return owner?.kind === 'Job' && owner.name === job.ref.name;
    })
    .sort((a, b) => b.timeMs - a.timeMs);
  const pod = pods[0];
  const term = pod
    ? podContainers(pod).flatMap((c) => {
        const t = lastTermination(c);
        return t && num(t.state['exitCode']) !== 0 ? [{ c, t }] : [];
      })[0]
    : undefined;
  const logs = pod && term ? await ctx.podLogs({ pod: pod.ref, container: term.c.name, limit: 30 }) : [];
  const line = logs.find((l) => l.severity === 'error' || l.severity === 'fatal' || ERROR_LINE.test(l.body));
  const exit = term
    ? ` Its last pod ${pod?.ref.name ?? ''} exited with code ${num(term.t.state['exitCode']) ?? '?'}${line ? `, after logging "${clip(line.body, 300)}"` : ''}.`
    : '';
  const why =
    reason === 'BackoffLimitExceeded'
      ? `its pods failed more often than backoffLimit ${num(at(job.object, 'spec.backoffLimit')) ?? 6} allows`
      : reason === 'DeadlineExceeded'
        ? `it ran longer than activeDeadlineSeconds ${num(at(job.object, 'spec.activeDeadlineSeconds')) ?? '?'}`
        : clip(text(failed['message']) ?? reason, 300);
  return [
    {
      analyzer: 'job',
      resource: job.ref,
      failureMode: 'job-failed',
      title: `Job ${job.ref.name} failed (${reason})`,
      explanation: `Job ${job.ref.name} gave up: ${why}.${exit}`,
      evidence: [
        fieldEvidence(job, 'status.conditions[type=Failed]', `Failed: ${reason}`),
        ...(pod && term
          ? [fieldEvidence(pod, term.t.field, `exit code ${num(term.t.state['exitCode']) ?? '?'}`)]
          : []),
        ...logEvidence(line ? [line] : [], 'error line of the failed pod'),
      ],
      confidence: term ? 0.85 : 0.7,
      remediation: {
        steps: ["Read the failed pod's log and fix the cause; re-run the job once fixed."],
        commands: [
          `kubectl describe job ${job.ref.name}${nsFlag(job.ref)}`,
          `kubectl logs job/${job.ref.name}${nsFlag(job.ref)}`,
        ],
      },
    },
  ];
}
