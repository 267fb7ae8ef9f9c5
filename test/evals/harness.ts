/**
 * Evals of the LLM investigator: each folder under cases/ holds a `case.yaml` with a question,
 * the signals to seed (workloads with their pods, events, logs, at minutes before now), the
 * expected finding (failure modes that name it, the resource), distractors (resources a wrong
 * answer would blame) and a script: what a model that investigates well would do, for the scripted
 * endpoint CI runs against. Each case gets a fresh store; the question goes through the product's
 * chat path (grounding, investigator, tools, answer checks) exactly as a user's would.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { K8sEvent, LogRecord, ObjectSnapshot, RcaAnswer, ResourceRef, SignalBatch } from '@sleuth/core';
import {
  Investigator,
  LlmClient,
  PromptLibrary,
  TOOLS,
  TopologySource,
  defaultPromptsDir,
  type LlmSettings,
} from '@sleuth/analyze';
import { ChatService } from '@sleuth/server';
import { SqliteStore } from '@sleuth/store';
import type { ScriptStep } from '../support/llm-server';

export const CLUSTER = 'eval';
const MIN = 60_000;

const PodSpec = z.object({
  state: z.enum(['Running', 'CrashLoopBackOff', 'ImagePullBackOff']),
  restarts: z.number().int().nonnegative(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
});

const Case = z
  .object({
    question: z.string().min(1),
    expect: z.object({ failureModes: z.array(z.string()).min(1), resource: z.string() }),
    distractors: z.array(z.string()),
    seed: z.object({
      workloads: z.array(
        z.object({
          name: z.string(),
          namespace: z.string(),
          image: z.string(),
          previousImage: z.string().optional(),
          rolledOutMin: z.number().optional(),
          pod: PodSpec,
        }),
      ),
      events: z.array(
        z.object({
          pod: z.string(),
          type: z.enum(['Normal', 'Warning']),
          reason: z.string(),
          message: z.string(),
          count: z.number().int().positive(),
          atMin: z.number(),
        }),
      ),
      logs: z.array(
        z.object({
          pod: z.string(),
          severity: z.enum(['debug', 'info', 'warn', 'error', 'fatal']),
          atMin: z.number(),
          body: z.string(),
        }),
      ),
    }),
    script: z.array(
      z.union([
        z.object({
          tool_calls: z.array(z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()) })),
        }),
        z.object({ answer: z.record(z.string(), z.unknown()), cite: z.array(z.string()) }),
      ]),
    ),
  })
  .strict();

export type EvalCase = z.infer<typeof Case> & { id: string };

export const CASES_DIR = new URL('./cases/', import.meta.url).pathname;

/** Every case folder, validated; a malformed case fails loudly with its name. */
export function loadCases(dir = CASES_DIR): EvalCase[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const raw: unknown = parseYaml(readFileSync(join(dir, d.name, 'case.yaml'), 'utf8'));
      const parsed = Case.safeParse(raw);
      if (!parsed.success) throw new Error(`eval case ${d.name}: ${parsed.error.message}`);
      return { ...parsed.data, id: d.name };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The case's signals as of `nowMs`: each workload as a Deployment → ReplicaSet → Pod chain. */
export function seedBatch(c: EvalCase, nowMs: number): SignalBatch {
  const at = (min: number) => nowMs + min * MIN;
  const objects: ObjectSnapshot[] = [];
  const podOf = new Map<string, ResourceRef>();
  const snap = (
    ref: ResourceRef,
    apiVersion: string,
    timeMs: number,
    object: Record<string, unknown>,
  ): ObjectSnapshot => ({
    ref,
    apiVersion,
    timeMs,
    deleted: false,
    object: { kind: ref.kind, apiVersion, ...object },
  });
  for (const w of c.seed.workloads) {
    const ns = w.namespace;
    const created = at(-120);
    const rolled = w.rolledOutMin !== undefined ? at(w.rolledOutMin) : created;
    const ref = (kind: string, name: string): ResourceRef => ({
      cluster: CLUSTER,
      namespace: ns,
      kind,
      name,
    });
    const template = (image: string) => ({
      metadata: { labels: { app: w.name } },
      spec: {
        containers: [{ name: w.name, image, resources: { limits: { memory: '512Mi', cpu: '500m' } } }],
      },
    });
    const deployment = (image: string, generation: number, timeMs: number) =>
      snap(ref('Deployment', w.name), 'apps/v1', timeMs, {
        metadata: {
          name: w.name,
          namespace: ns,
          uid: `${w.name}-d`,
          generation,
          creationTimestamp: new Date(created).toISOString(),
        },
        spec: { replicas: 1, selector: { matchLabels: { app: w.name } }, template: template(image) },
        status: {
          replicas: 1,
          readyReplicas: w.pod.state === 'Running' ? 1 : 0,
          availableReplicas: w.pod.state === 'Running' ? 1 : 0,
          unavailableReplicas: w.pod.state === 'Running' ? 0 : 1,
        },
      });
    if (w.previousImage) objects.push(deployment(w.previousImage, 1, created));
    objects.push(deployment(w.image, w.previousImage ? 2 : 1, rolled));
    const rsName = `${w.name}-7f9c${w.previousImage ? 'b' : 'a'}`;
    objects.push(
      snap(ref('ReplicaSet', rsName), 'apps/v1', rolled, {
        metadata: {
          name: rsName,
          namespace: ns,
          uid: `${w.name}-rs`,
          ownerReferences: [{ kind: 'Deployment', name: w.name, uid: `${w.name}-d`, controller: true }],
        },
        spec: { replicas: 1, template: template(w.image) },
      }),
    );
    const podName = `${rsName}-x1`;
    const state =
      w.pod.state === 'Running'
        ? { running: { startedAt: new Date(rolled).toISOString() } }
        : {
            waiting: {
              reason: w.pod.state,
              message:
                w.pod.state === 'ImagePullBackOff'
                  ? `Back-off pulling image "${w.image}"`
                  : 'back-off restarting failed container',
            },
          };
    objects.push(
      snap(ref('Pod', podName), 'v1', at(-1), {
        metadata: {
          name: podName,
          namespace: ns,
          uid: `${w.name}-p`,
          labels: { app: w.name },
          creationTimestamp: new Date(rolled).toISOString(),
          ownerReferences: [{ kind: 'ReplicaSet', name: rsName, uid: `${w.name}-rs`, controller: true }],
        },
        spec: { nodeName: 'node-a', containers: [{ name: w.name, image: w.image }] },
        status: {
          phase: w.pod.state === 'ImagePullBackOff' ? 'Pending' : 'Running',
          containerStatuses: [
            {
              name: w.name,
              image: w.image,
              ready: w.pod.state === 'Running',
              restartCount: w.pod.restarts,
              state,
              ...(w.pod.exitCode !== undefined
                ? {
                    lastState: {
                      terminated: {
                        exitCode: w.pod.exitCode,
                        reason: w.pod.reason ?? 'Error',
                        finishedAt: new Date(at(-2)).toISOString(),
                      },
                    },
                  }
                : {}),
            },
          ],
        },
      }),
    );
    podOf.set(w.name, ref('Pod', podName));
  }
  const pod = (w: string): ResourceRef => {
    const p = podOf.get(w);
    if (!p) throw new Error(`eval case ${c.id}: no workload ${w}`);
    return p;
  };
  const events: K8sEvent[] = c.seed.events.map((e, i) => ({
    uid: `${c.id}-ev-${i}`,
    cluster: CLUSTER,
    namespace: pod(e.pod).namespace,
    involved: pod(e.pod),
    type: e.type,
    reason: e.reason,
    message: e.message,
    count: e.count,
    firstMs: at(e.atMin - 1),
    lastMs: at(e.atMin),
  }));
  const logs: LogRecord[] = c.seed.logs.map((l) => ({
    timeMs: at(l.atMin),
    source: {
      cluster: CLUSTER,
      namespace: pod(l.pod).namespace,
      workload: l.pod,
      workloadKind: 'Deployment',
      pod: pod(l.pod).name,
      container: l.pod,
    },
    severity: l.severity,
    body: l.body,
    attributes: {},
  }));
  return { logs, metrics: [], spans: [], events, objects };
}

/** The case's script as steps for the scripted endpoint: the answer cites what the named tools returned. */
export function scriptSteps(c: EvalCase): ScriptStep[] {
  return c.script.map((s): ScriptStep => {
    if ('tool_calls' in s) return { kind: 'tool_calls', calls: s.tool_calls };
    return {
      kind: 'reply',
      respond: (req) => {
        const messages = req.chat?.messages ?? [];
        const callNames = new Map<string, string>();
        for (const m of messages)
          for (const tc of m.tool_calls ?? []) if (tc.function) callNames.set(tc.id, tc.function.name);
        const evidenceIds = s.cite.flatMap((tool) => {
          const result = messages.find(
            (m) => m.role === 'tool' && callNames.get(m.tool_call_id ?? '') === tool,
          );
          const id = /"evidenceId":"([^"]+)"/.exec(String(result?.content ?? ''))?.[1];
          return id ? [id] : [];
        });
        return { kind: 'message', content: JSON.stringify({ ...s.answer, evidenceIds }) };
      },
    };
  });
}

export interface EvalResult {
  id: string;
  origin: 'llm' | 'rules';
  pass: boolean;
  cause: string | null;
  /** Why it failed, when it did. */
  problems: string[];
  evidence: number;
  toolCalls: number;
  tokens: number;
  fallbackReason?: string;
}

/** Whether `ref` is the expected `namespace/Kind/name` or one of its pods/ReplicaSets (name prefix). */
function matches(ref: ResourceRef | null | undefined, expected: string): boolean {
  if (!ref) return false;
  const [ns, kind, name] = expected.split('/');
  if (ref.namespace !== ns || !name) return false;
  return (ref.kind === kind && ref.name === name) || ref.name.startsWith(`${name}-`);
}

/** Pass: a root cause among the expected failure modes on the expected resource, not a distractor, with evidence. */
export function score(c: EvalCase, a: RcaAnswer): { pass: boolean; problems: string[] } {
  const problems: string[] = [];
  const rc = a.rootCause;
  if (!rc) problems.push('no root cause named');
  else {
    if (!c.expect.failureModes.includes(rc.failureMode))
      problems.push(`failure mode ${rc.failureMode}, expected one of ${c.expect.failureModes.join(', ')}`);
    if (!matches(rc.resource, c.expect.resource))
      problems.push(
        `blamed ${rc.resource ? `${rc.resource.namespace ?? '-'}/${rc.resource.kind}/${rc.resource.name}` : 'nothing'}, expected ${c.expect.resource}`,
      );
    for (const d of c.distractors) if (matches(rc.resource, d)) problems.push(`blamed the distractor ${d}`);
  }
  if (a.evidence.length === 0) problems.push('no evidence cited');
  return { pass: problems.length === 0, problems };
}

/**
 * Runs one case: a fresh store seeded as of now, the question asked through ChatService with an
 * investigator on `llm` (or none: the rule engine alone), scored.
 */
export async function runCase(c: EvalCase, llm: LlmSettings | undefined): Promise<EvalResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sleuth-eval-'));
  const store = new SqliteStore({ path: join(dir, 'sleuth.db'), synchronous: 'normal' });
  await store.start();
  try {
    const nowMs = Date.now();
    await store.writeBatch(seedBatch(c, nowMs));
    const topology = new TopologySource(store);
    const investigator = new Investigator({
      store,
      topology,
      prompts: PromptLibrary.load(defaultPromptsDir()),
      tools: TOOLS,
      limits: { maxToolCalls: 12, maxTokens: 120_000, toolResultChars: 12_000 },
      client: llm ? new LlmClient(llm) : undefined,
    });
    const chat = new ChatService({ store, topology, investigator });
    const conversation = await chat.createConversation({});
    const { answer } = await chat.ask(conversation.id, c.question);
    const rec = answer.answer;
    if (!rec) throw new Error('chat stored an answer without its record');
    const s = score(c, rec.answer);
    const rc = rec.answer.rootCause;
    return {
      id: c.id,
      origin: rec.origin,
      pass: s.pass,
      cause: rc
        ? `${rc.failureMode} ${rc.resource ? `${rc.resource.kind}/${rc.resource.name}` : '(no resource)'}`
        : null,
      problems: s.problems,
      evidence: rec.answer.evidence.length,
      toolCalls: rec.toolCalls.length,
      tokens: (rec.usage?.promptTokens ?? 0) + (rec.usage?.completionTokens ?? 0),
      ...(rec.fallbackReason ? { fallbackReason: rec.fallbackReason } : {}),
    };
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
