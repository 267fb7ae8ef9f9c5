/**
 * What the web UI's end-to-end test runs against: two in-process Sleuth servers, a GitHub-API test
 * server and a scripted OpenAI-compatible LLM, with the data the steps expect. The steps are in
 * e2e.test.ts; page helpers in harness.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createLogger, type Incident, type LogRecord, type RootCause } from '@sleuth/core';
import { ensureDemoRepo } from '@sleuth/server';
import { startGitHubServer, type GitHubServer } from '../support/github-server';
import { crashingPod, MIN } from '../support/incidents';
import {
  startLlmServer,
  type LlmTestServer,
  type RecordedRequest,
  type ScriptStep,
} from '../support/llm-server';
import { eventually, getJson, startTestServer, type TestServer } from '../support/server';

const TARGET = { cluster: 'prod-us', namespace: 'payments', workload: 'payments-api' };
const TOKEN = 'ghp_e2eTestToken000000000000000000000000';
export const QUESTION = 'Why is payments-api failing?';
export const LLM_SUMMARY = 'payments-api is OOM-killed: its memory limit of 1024Mi is too low for its load.';

/** The simulated fleet, fast: the incident opens within seconds of real time (fix-demo.test.ts). */
const SIMULATED = {
  'simulator.mode': 'on',
  'simulator.seed': 42,
  'simulator.speed': 30,
  'simulator.tickSeconds': 5,
  'detect.tickSeconds': 0.2,
};

/** What the scripted model answers: first a log search around the workload, then an answer citing a line. */
function scripted(req: RecordedRequest, simulatedNowMs: number): Exclude<ScriptStep, { kind: 'reply' }> {
  const toolResults = (req.chat?.messages ?? []).filter((m) => m.role === 'tool');
  if (toolResults.length === 0)
    return {
      kind: 'tool_calls',
      calls: [
        {
          name: 'search_logs',
          arguments: {
            resource: { kind: 'Deployment', name: TARGET.workload, namespace: TARGET.namespace },
            cluster: TARGET.cluster,
            // The simulated clock runs ahead of the wall clock (30x): search around it.
            from: new Date(simulatedNowMs - 30 * MIN).toISOString(),
            to: new Date(simulatedNowMs + MIN).toISOString(),
            limit: 5,
          },
        },
      ],
    };
  const ids = toolResults.flatMap((m) =>
    [...String(m.content).matchAll(/"evidenceId":"([^"]+)"/g)].map((x) => x[1] as string),
  );
  return {
    kind: 'message',
    content: JSON.stringify({
      summary: LLM_SUMMARY,
      rootCause: {
        resource: `${TARGET.cluster}/${TARGET.namespace}/Deployment/${TARGET.workload}`,
        failureMode: 'oom-killed',
        hypothesis: 'the container exceeds its memory limit and the kernel kills it',
      },
      confidence: 0.8,
      evidenceIds: ids.slice(0, 1),
      nextSteps: [`kubectl -n ${TARGET.namespace} describe deploy/${TARGET.workload}`],
      proposedFix: null,
    }),
  };
}

export async function injectFault(server: TestServer): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/simulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'oom_killed', target: TARGET, durationSeconds: 1800 }),
  });
  expect(res.status, await res.text()).toBe(201);
}

/** The open incident whose cause is the injected OOM kill, with the memory-limit remediation. */
export function oomIncident(server: TestServer, timeoutMs = 75_000): Promise<Incident> {
  return eventually(async () => {
    const { incidents } = await getJson<{ incidents: Incident[] }>(
      server.url,
      '/api/v1/incidents?status=open',
    );
    return incidents.find((i) =>
      i.rootCauses.some(
        (c) =>
          c.failureMode === 'oom-killed' &&
          c.resource.cluster === TARGET.cluster &&
          c.remediation?.patch?.field.includes('resources.limits.memory'),
      ),
    );
  }, timeoutMs);
}

export const SEEDED_ID = 'inc_e2e_api_crashloop';
const SEEDED_TITLE = 'api of pod api-7f9c-x1 is crash-looping with exit code 1';

/**
 * A crash-looping pod in the rules-only server's store (objects and its last log lines) and the
 * incident the rules engine makes of it, whose top cause cites those log lines: the simulated
 * OOM kill's causes cite object fields and series only, so the log-evidence path needs this.
 */
async function seedCrashLoop(server: TestServer): Promise<void> {
  const at = Date.now() - 5 * MIN;
  const source = {
    cluster: 'eu',
    namespace: 'shop',
    workload: 'api',
    workloadKind: 'Deployment',
    pod: 'api-7f9c-x1',
    container: 'api',
  };
  const lines: [LogRecord['severity'], string][] = [
    ['info', 'starting api 1.1 on :8080'],
    ['error', 'panic: cannot connect to postgres at db.shop:5432: connection refused'],
    ['error', 'exiting with status 1'],
  ];
  await server.store.writeBatch({
    logs: lines.map(([severity, body], i) => ({
      timeMs: at + i * 1000,
      source,
      severity,
      body,
      attributes: {},
    })),
    metrics: [],
    spans: [],
    events: [],
    objects: crashingPod('eu', at + 10_000),
  });
  const { records } = await server.store.searchLogs({ cluster: 'eu', fromMs: at - MIN, toMs: at + MIN });
  const ids = records.filter((r) => r.severity === 'error').map((r) => r.id as string);
  expect(ids).toHaveLength(2);
  const pod = { cluster: 'eu', namespace: 'shop', kind: 'Pod', name: 'api-7f9c-x1' };
  const cause: RootCause = {
    id: 'rc_e2e_1',
    failureMode: 'crash-loop',
    resource: pod,
    hypothesis: 'The container keeps exiting with code 1: it cannot connect to postgres at start.',
    confidence: 0.9,
    rank: 1,
    evidence: [
      { signal: { kind: 'log', ids }, summary: 'last lines of the previous container instance' },
      {
        signal: {
          kind: 'object',
          ref: pod,
          field: 'status.containerStatuses[name=api].restartCount',
          timeMs: at + 10_000,
        },
        summary: '7 restarts, waiting in CrashLoopBackOff',
      },
    ],
    origin: 'rules',
  };
  await server.store.putIncident({
    id: SEEDED_ID,
    title: SEEDED_TITLE,
    status: 'open',
    severity: 'high',
    startMs: at,
    updatedMs: at + 2 * MIN,
    resources: [pod],
    anomalyIds: [],
    rootCauses: [cause],
  });
}

/** The servers the steps drive, and how to stop them. */
export interface E2eFleet {
  github: GitHubServer;
  llm: LlmTestServer;
  /** With the simulated fleet, the scripted LLM and GitHub pull requests. */
  sleuth: TestServer;
  /** Without an LLM (the rules engine answers) or simulator: its store holds {@link seedCrashLoop}. */
  rulesOnly: TestServer;
  /** The simulator's clock when the chat question is asked (the scripted model searches around it). */
  setSimulatedNow(ms: number): void;
  dispose(): Promise<void>;
}

export async function startE2eFleet(): Promise<E2eFleet> {
  const root = mkdtempSync(join(tmpdir(), 'sleuth-ui-e2e-'));
  // GitHub mode needs a repository to clone: the simulated fleet's GitOps repository, made here.
  const repo = await ensureDemoRepo(root, createLogger('warn'));
  const [github, llm] = await Promise.all([startGitHubServer(TOKEN), startLlmServer()]);
  let simulatedNowMs = Date.now();
  // Every model request gets the same script; the chat uses two of them.
  for (let i = 0; i < 40; i++) llm.push({ kind: 'reply', respond: (req) => scripted(req, simulatedNowMs) });
  const [sleuth, rulesOnly] = await Promise.all([
    startTestServer({
      ...SIMULATED,
      'remediation.repo.url': repo,
      // As in the demo: each cluster's manifests are in its own folder.
      'remediation.repo.paths': ['clusters/{cluster}'],
      'remediation.provider': 'github',
      'remediation.github.owner': 'acme',
      'remediation.github.repo': 'gitops',
      'remediation.github.token': TOKEN,
      'remediation.github.baseUrl': github.url,
      'llm.provider': 'openai',
      'llm.baseUrl': llm.url,
      'llm.model': 'scripted',
      'llm.apiKey': 'sk-sleuth-test-key-0000000000',
      'llm.autoInvestigate': 'off',
    }),
    startTestServer(),
  ]);
  await seedCrashLoop(rulesOnly);
  return {
    github,
    llm,
    sleuth,
    rulesOnly,
    setSimulatedNow: (ms) => (simulatedNowMs = ms),
    dispose: async () => {
      await Promise.all([sleuth.dispose(), rulesOnly.dispose(), github.close(), llm.close()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
