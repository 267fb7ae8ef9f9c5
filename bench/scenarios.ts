/**
 * `npm run bench -- scenarios [--seed N] [--warmup-min M] [--healthy-hours H] [--only a,b] [--no-docs]`:
 * root-cause accuracy on the simulated fleet. Every scenario of test/scenarios/catalog.ts (a
 * fault with a distractor) runs on one stepped fleet through the whole product pipeline; the
 * figures are top-1 and top-3 accuracy of the ranked causes of the incident that holds the faulty
 * workload, the simulated time from fault start to a correct top cause, and, on a second fleet
 * left healthy, false incidents per simulated hour (counted from a cold start, warm-up included).
 */
import { SCENARIOS } from '../test/scenarios/catalog';
import { ScenarioRig } from '../test/scenarios/rig';
import { runScenarios, type ScenarioResult } from '../test/scenarios/run-scenarios';
import { flags, percentile, recordInDocs, round } from './support';

const MINUTE = 60_000;

function table(results: readonly ScenarioResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.id} | ${r.easy ? 'easy' : 'hard'} | ${r.rank ?? '—'} | ${r.incidentAfterS ?? '—'} | ${r.top3AfterS ?? '—'} | ${r.top1AfterS ?? '—'} | ${r.top.join('<br>') || '(no incident)'} | ${r.chat ? `${r.chat.cause ?? '(none)'}${r.chat.correct ? '' : ' ✗'} (${r.chat.evidence} cited)` : '—'} |`,
  );
  return [
    '| scenario | class | rank of the true cause | s to an incident | s to correct top-3 | s to correct top-1 | top 3 causes | chat (no LLM) answer |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const f = flags(args);
  const seed = Number(f['seed'] ?? 7);
  const warmupMin = Number(f['warmup-min'] ?? 70);
  const healthyHours = Number(f['healthy-hours'] ?? 2);
  const only = typeof f['only'] === 'string' ? new Set(f['only'].split(',')) : undefined;
  const list = SCENARIOS.filter((s) => !only || only.has(s.id));
  const wall0 = Date.now();
  const cpu0 = process.cpuUsage();

  const rig = await ScenarioRig.start({ seed });
  let results: ScenarioResult[];
  try {
    results = await runScenarios(rig, list, {
      warmupMs: warmupMin * MINUTE,
      windowMs: 5 * MINUTE,
      maxRecoveryMs: 20 * MINUTE,
      askChat: (q) => rig.askChat(q),
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    await rig.close();
  }

  // A healthy fleet from a cold start, another seed: every incident it opens is a false one.
  const healthy = await ScenarioRig.start({ seed: seed + 1 });
  let falseIncidents: string[];
  try {
    await healthy.run(healthyHours * 60 * MINUTE);
    falseIncidents = (await healthy.incidents(0, healthy.sim.nowMs() + MINUTE)).map(
      (i) => `${i.title} [${i.rootCauses[0]?.failureMode ?? 'no cause'}]`,
    );
  } finally {
    await healthy.close();
  }
  const wallS = (Date.now() - wall0) / 1000;
  const cpuS = process.cpuUsage(cpu0).user / 1e6;

  const n = results.length;
  const top1 = results.filter((r) => r.rank === 1).length;
  const top3 = results.filter((r) => r.rank !== null && r.rank <= 3).length;
  const easy = results.filter((r) => r.easy);
  const times = results
    .map((r) => r.top1AfterS)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const within = (t: number | null): boolean => t !== null && t <= 60;
  const within60 = results.filter((r) => within(r.top1AfterS)).length;
  const incidentWithin60 = results.filter((r) => within(r.incidentAfterS)).length;
  const top3Within60 = results.filter((r) => within(r.top3AfterS)).length;
  const chatRight = results.filter((r) => r.chat?.correct && r.chat.evidence > 0).length;
  const body = [
    `${n} scenarios (one fault and one distractor each), seed ${seed}, ${warmupMin} simulated minutes of warm-up, each fault watched for 5 minutes; ${healthyHours} simulated hours of a healthy fleet (seed ${seed + 1}) from a cold start. ${round(wallS, 0)} s wall, ${round(cpuS, 0)} s CPU.`,
    '',
    '| figure | value | target (issue 5) |',
    '| --- | --- | --- |',
    `| top-1 accuracy | ${top1}/${n} (${round((100 * top1) / n, 1)}%) | ≥ 90% |`,
    `| top-3 accuracy | ${top3}/${n} (${round((100 * top3) / n, 1)}%) | 100% |`,
    `| easy half, top-1 | ${easy.filter((r) => r.rank === 1).length}/${easy.length} | all (gates CI) |`,
    `| incident about the fault open within 60 s of fault start | ${incidentWithin60}/${n} | all |`,
    `| ... with the true cause in its top 3 within 60 s | ${top3Within60}/${n} | |`,
    `| ... with the true cause first within 60 s | ${within60}/${n} | |`,
    `| time to a correct top cause, median / max | ${percentile(times, 50)} s / ${times.at(-1) ?? '—'} s | ≤ 60 s |`,
    `| chat without an LLM, "what is wrong with NS/deploy/NAME?" about the faulty workload: a correct cause with evidence | ${chatRight}/${n} | all (issue 6) |`,
    `| false incidents, healthy fleet | ${falseIncidents.length} in ${healthyHours} h (${round(falseIncidents.length / healthyHours, 2)}/h) | 0 |`,
    '',
    table(results),
    ...(falseIncidents.length > 0 ? ['', `False incidents: ${falseIncidents.join('; ')}`] : []),
    ...results
      .filter((r) => r.note)
      .map((r) => `\n${r.id} — incidents seen: ${(r.note ?? '').slice(0, 600)}`),
  ].join('\n');
  process.stdout.write(`${body}\n`);
  if (f['no-docs'] === undefined && !only)
    recordInDocs('scenarios', `npm run bench -- scenarios${args.length ? ` ${args.join(' ')}` : ''}`, body);
  return {
    scenarios: n,
    top1_accuracy: round(top1 / n, 3),
    top3_accuracy: round(top3 / n, 3),
    incident_within_60s: incidentWithin60,
    top3_within_60s: top3Within60,
    top1_within_60s: within60,
    chat_correct: chatRight,
    time_to_top1_median_s: percentile(times, 50),
    time_to_top1_max_s: times.at(-1) ?? null,
    false_incidents_per_hour: round(falseIncidents.length / healthyHours, 2),
    wall_s: round(wallS, 0),
  };
}
