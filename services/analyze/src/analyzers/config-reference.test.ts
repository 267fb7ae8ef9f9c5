import { describe, expect, it } from 'vitest';
import { configReferenceAnalyzer } from './config-reference';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { NOW, ref, snap } from './testing/kube';

const SECRET = ref('Secret', 'db-creds');
const CM = ref('ConfigMap', 'api-config');
const pod = snap(ref('Pod', 'api-1'), {
  spec: {
    containers: [
      {
        name: 'api',
        env: [
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
          { name: 'FEATURE', valueFrom: { configMapKeyRef: { name: 'flags', key: 'x', optional: true } } },
        ],
        envFrom: [{ configMapRef: { name: 'api-config' } }],
      },
    ],
  },
});
const secret = (data: Record<string, string>) => snap(SECRET, { type: 'Opaque', data });

async function run(ctx: MemoryContext, r: typeof SECRET) {
  const findings = await configReferenceAnalyzer.analyze(r, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('config reference analyzer', () => {
  it('finds nothing wrong when the referenced objects and keys exist, or the reference is optional', async () => {
    const ctx = new MemoryContext({
      nowMs: NOW,
      objects: [pod, secret({ password: 'aHVudGVyMg==' }), snap(CM, { data: {} })],
    });
    expect(await run(ctx, SECRET)).toEqual([]);
    expect(await run(ctx, CM)).toEqual([]);
    expect(await run(ctx, ref('ConfigMap', 'flags'))).toEqual([]);
  });

  it('reports a ConfigMap that pods need but that does not exist', async () => {
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [pod, secret({ password: 'aHVudGVyMg==' })] }),
      CM,
    );
    expect(f?.failureMode).toBe('missing-configmap');
    expect(f?.title).toBe('ConfigMap api-config is missing but 1 pod needs it');
    const fields = f?.evidence.map((e) => (e.signal.kind === 'object' ? e.signal.field : undefined));
    expect(fields).toEqual(['spec.containers[name=api].envFrom[0]']);
  });

  it('names the missing key of a Secret by name only, never a value', async () => {
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [pod, secret({ pass: 'aHVudGVyMg==' })] }),
      SECRET,
    );
    expect(f?.failureMode).toBe('missing-key');
    expect(f?.explanation).toContain('read key password of Secret db-creds, which holds only pass');
    expect(JSON.stringify(f)).not.toContain('aHVudGVyMg');
  });
});
