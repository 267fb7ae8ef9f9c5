import type { MemoryContext } from '../memory-context';
import { Finding } from '../finding';
import { podAnalyzer } from '../pod';
import { ref, snap } from './kube';

/** One pod of Deployment api (through ReplicaSet api-7d9f), with one container `api`. */
export const POD = ref('Pod', 'api-7d9f-abcde');
export const owned = { ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', controller: true }] };
export const rs = snap(ref('ReplicaSet', 'api-7d9f'), {
  metadata: { ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] },
});

export function pod(
  container: Record<string, unknown>,
  status: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return snap(POD, {
    metadata: owned,
    spec: {
      containers: [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2', ...container }],
      ...extra,
    },
    status: { phase: 'Running', containerStatuses: [{ name: 'api', ...status }] },
  });
}

export const healthy = pod(
  {},
  { ready: true, restartCount: 0, state: { running: { startedAt: '2026-03-02T10:00:00Z' } } },
);

/** Runs the pod analyzer on POD and checks every finding against the Finding schema. */
export async function run(ctx: MemoryContext) {
  const findings = await podAnalyzer.analyze(POD, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}
