/**
 * Runs root-cause scenarios one after another on one simulated fleet, as a server living through
 * a day of incidents would: a healthy warm-up (the learned detectors settle), then for each
 * scenario its distractor, a minute later its fault, five minutes of watching, the fault cleared,
 * and recovery until every incident has resolved. Scoring is what an on-call engineer sees: the
 * incident that holds the faulty workload, and where in its ranked causes the true one is.
 */
import type { Incident, RcaAnswer, ResourceRef, RootCause } from '@sleuth/core';
import { onWorkload, type Scenario } from './catalog';
import type { ScenarioRig } from './rig';

const MINUTE = 60_000;

export interface ScenarioResult {
  id: string;
  easy: boolean;
  fault: string;
  /** 1-based rank of the first correct cause in the fault's incident at the end of the window; null if absent. */
  rank: number | null;
  /** Simulated seconds from fault start until an incident showed a correct cause first; null if never. */
  top1AfterS: number | null;
  /** Simulated seconds from fault start until an incident about it had a correct cause in its top 3. */
  top3AfterS: number | null;
  /** Simulated seconds from fault start until an incident about it was open, whatever its causes. */
  incidentAfterS: number | null;
  incidentId: string | null;
  /** The fault incident's top three causes, as `failure-mode Kind/name`. */
  top: string[];
  /** Why it was not ranked first, when it was not: the incidents seen. */
  note?: string;
  /**
   * What chat answered, without an LLM, to "what is wrong with NS/deploy/NAME?" about the faulty
   * workload at the end of the window (when the run asks): its root cause as `failure-mode Kind/name`,
   * whether that is a correct cause, and how many pieces of evidence it cited.
   */
  chat?: { cause: string | null; correct: boolean; evidence: number; summary: string };
}

/** Answers a question about the fleet as chat does (the scenario runner asks one per fault). */
export type AskChat = (question: string) => Promise<RcaAnswer>;

export interface RunOptions {
  warmupMs: number;
  /** How long each fault is watched before it is scored. */
  windowMs: number;
  /** Most time given to recovery before the next scenario. */
  maxRecoveryMs: number;
  log?: (line: string) => void;
  /** When given, each fault's workload is asked about in chat at the end of its window. */
  askChat?: AskChat;
}

function describeCause(c: RootCause): string {
  return `${c.failureMode} ${c.resource.kind}/${c.resource.name}`;
}

/** The node a node fault hit, from its description ("Node X ...", "... node X: ..."). */
function faultNode(description: string): string | undefined {
  return /^Node (\S+) /.exec(description)?.[1] ?? / node (\S+?):/.exec(description)?.[1];
}

function matcher(
  s: Scenario,
  description: string,
): (c: Pick<RootCause, 'failureMode' | 'resource'>) => boolean {
  const t = s.fault.target;
  const node = faultNode(description);
  return (c) => {
    if (!s.causes.includes(c.failureMode)) return false;
    const r = c.resource;
    if (r.cluster !== t.cluster) return false;
    if (s.on === 'workload') return onWorkload(r, t);
    if (s.on === 'node') return r.kind === 'Node' && r.name === node;
    return r.kind === s.on && r.namespace === t.namespace && r.name.includes(t.workload);
  };
}

/**
 * Whether an incident is about the fault: it holds the faulty workload or the node it hit, or it
 * names the fault's cause (a NetworkPolicy blocking calls to the target shows on the callers).
 */
function aboutFault(inc: Incident, s: Scenario, description: string): boolean {
  const node = faultNode(description);
  if (inc.rootCauses.some(matcher(s, description))) return true;
  return inc.resources.some(
    (r: ResourceRef) =>
      onWorkload(r, s.fault.target) ||
      (node !== undefined && r.kind === 'Node' && r.name === node && r.cluster === s.fault.target.cluster),
  );
}

export async function runScenarios(
  rig: ScenarioRig,
  scenarios: readonly Scenario[],
  opts: RunOptions,
): Promise<ScenarioResult[]> {
  const log = opts.log ?? (() => undefined);
  await rig.run(opts.warmupMs);
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const distractor = s.distractor
      ? rig.sim.injectFault({
          kind: s.distractor.kind,
          target: s.distractor.target,
          durationSeconds: (opts.windowMs + MINUTE) / 1000,
        })
      : undefined;
    if (distractor) await rig.run(MINUTE);
    const fault = rig.sim.injectFault({
      kind: s.fault.kind,
      target: s.fault.target,
      durationSeconds: opts.windowMs / 1000 + 60,
    });
    const correct = matcher(s, fault.description);
    let top1AfterS: number | null = null;
    let top3AfterS: number | null = null;
    let incidentAfterS: number | null = null;
    const faultIncidents = async (): Promise<Incident[]> =>
      (await rig.incidents(fault.startMs - 2 * MINUTE, rig.sim.nowMs() + MINUTE))
        .filter((i) => i.updatedMs >= fault.startMs - MINUTE && aboutFault(i, s, fault.description))
        .sort((a, b) => a.startMs - b.startMs);
    await rig.run(opts.windowMs, async (nowMs) => {
      if (top1AfterS !== null) return;
      for (const inc of await faultIncidents()) {
        const at = inc.rootCauses.findIndex(correct);
        const afterS = Math.round((nowMs - fault.startMs) / 1000);
        if (incidentAfterS === null) incidentAfterS = afterS;
        if (at >= 0 && at < 3 && top3AfterS === null) top3AfterS = afterS;
        if (at === 0) top1AfterS = afterS;
      }
    });
    const incidents = await faultIncidents();
    const incident = incidents[0];
    const at = incident ? incident.rootCauses.findIndex(correct) : -1;
    const result: ScenarioResult = {
      id: s.id,
      easy: s.easy,
      fault: `${s.fault.kind} on ${s.fault.target.cluster}/${s.fault.target.namespace}/${s.fault.target.workload}`,
      rank: at >= 0 ? at + 1 : null,
      top1AfterS,
      top3AfterS,
      incidentAfterS,
      incidentId: incident?.id ?? null,
      top: (incident?.rootCauses ?? []).slice(0, 3).map(describeCause),
    };
    if (opts.askChat) {
      const t = s.fault.target;
      const a = await opts.askChat(`what is wrong with ${t.namespace}/deploy/${t.workload} in ${t.cluster}?`);
      const rc = a.rootCause;
      result.chat = {
        cause: rc?.resource ? `${rc.failureMode} ${rc.resource.kind}/${rc.resource.name}` : null,
        correct: rc?.resource ? correct({ failureMode: rc.failureMode, resource: rc.resource }) : false,
        evidence: a.evidence.length,
        summary: a.summary,
      };
    }
    if (result.rank !== 1) {
      const all = await rig.incidents(fault.startMs - 2 * MINUTE, rig.sim.nowMs());
      result.note = all
        .map((i) => `${i.title} [${i.rootCauses.slice(0, 3).map(describeCause).join('; ')}]`)
        .join(' | ');
    }
    results.push(result);
    log(
      `${s.id}: rank ${result.rank ?? '-'}, incident after ${result.incidentAfterS ?? '-'} s, top-1 after ${result.top1AfterS ?? '-'} s; top: ${result.top.join(', ') || '(no incident)'}${result.chat ? `; chat: ${result.chat.cause ?? '(none)'}${result.chat.correct ? '' : ' (wrong)'}` : ''}`,
    );
    // Recovery: end what is still running, then wait until nothing is open.
    for (const f of [fault, distractor]) {
      if (f && rig.sim.listFaults().find((x) => x.id === f.id)?.status === 'active') rig.sim.clearFault(f.id);
    }
    for (let waited = 0; waited < opts.maxRecoveryMs; waited += MINUTE) {
      await rig.run(MINUTE);
      const open = (await rig.incidents(fault.startMs - 2 * MINUTE, rig.sim.nowMs())).filter(
        (i) => i.status === 'open',
      );
      if (open.length === 0 && waited >= 5 * MINUTE) break;
    }
  }
  return results;
}
