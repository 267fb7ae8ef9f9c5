import { describe, expect, it } from 'vitest';
import { scheduleProblem } from './cron-schedule';
import { Finding } from './finding';
import { jobAnalyzer } from './job';
import { MemoryContext } from './memory-context';
import { NOW, logLine, ref, snap } from './testing/kube';

const CRON = ref('CronJob', 'nightly-report');
const cron = (schedule: string) => snap(CRON, { spec: { schedule } });
const job = (name: string, failed: boolean, start: string) =>
  snap(ref('Job', name), {
    metadata: { ownerReferences: [{ kind: 'CronJob', name: 'nightly-report', controller: true }] },
    spec: { backoffLimit: 2 },
    status: {
      startTime: start,
      conditions: [
        failed
          ? { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }
          : { type: 'Complete', status: 'True' },
      ],
    },
  });
const POD = ref('Pod', 'nightly-report-2-xyz');
const failedPod = snap(POD, {
  metadata: { ownerReferences: [{ kind: 'Job', name: 'nightly-report-2', controller: true }] },
  spec: { containers: [{ name: 'report' }] },
  status: {
    phase: 'Failed',
    containerStatuses: [{ name: 'report', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
  },
});

async function run(ctx: MemoryContext, r = CRON) {
  const findings = await jobAnalyzer.analyze(r, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('job analyzer', () => {
  it('accepts the schedules the controller accepts', () => {
    for (const s of ['0 3 * * *', '*/15 * * * 1-5', '30 2 1,15 JAN-JUN ?', '@daily', '@every 1h30m'])
      expect(scheduleProblem(s)).toBeUndefined();
    expect(scheduleProblem('0 25 * * *')).toContain('hour');
    expect(scheduleProblem('* * * *')).toContain('expected 5 fields');
  });

  it('finds nothing wrong with a valid CronJob whose last run completed', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [cron('0 3 * * *'), job('nightly-report-1', false, '2026-03-02T03:00:00Z')],
    });
    expect(await run(ctx)).toEqual([]);
  });

  it('explains an invalid schedule', async () => {
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [cron('0 3 * * * *')] }));
    expect(f?.failureMode).toBe('invalid-schedule');
    expect(f?.explanation).toContain('found 6');
  });

  it("reports a failing CronJob with the failed pod's exit code and error line", async () => {
    const line = logLine(POD, 'report', 'ERROR: relation "orders_2026" does not exist', {
      severity: 'error',
    });
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [
        cron('0 3 * * *'),
        job('nightly-report-1', false, '2026-03-01T03:00:00Z'),
        job('nightly-report-2', true, '2026-03-02T03:00:00Z'),
        failedPod,
      ],
      logs: [line],
    });
    const [f] = await run(ctx);
    expect(f?.failureMode).toBe('cronjob-failing');
    expect(f?.title).toBe('CronJob nightly-report: its last 1 run failed (latest Job nightly-report-2)');
    expect(f?.explanation).toContain('backoffLimit 2');
    expect(f?.explanation).toContain('exited with code 2');
    expect(f?.explanation).toContain('relation "orders_2026" does not exist');
    const job2 = await run(ctx, ref('Job', 'nightly-report-2'));
    expect(job2.map((x) => x.failureMode)).toEqual(['job-failed']);
  });
});
