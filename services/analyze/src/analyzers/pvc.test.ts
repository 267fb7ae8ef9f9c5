import { describe, expect, it } from 'vitest';
import { Finding } from './finding';
import { MemoryContext } from './memory-context';
import { pvcAnalyzer } from './pvc';
import { NOW, event, ref, snap } from './testing/kube';

const PVC = ref('PersistentVolumeClaim', 'data-db-0');
const claim = (phase: string, storageClassName?: string) =>
  snap(PVC, {
    metadata: { creationTimestamp: '2026-03-02T11:00:00Z' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      ...(storageClassName ? { storageClassName } : {}),
    },
    status: { phase },
  });

async function run(ctx: MemoryContext) {
  const findings = await pvcAnalyzer.analyze(PVC, ctx);
  for (const f of findings) Finding.parse(f);
  return findings;
}

describe('pvc analyzer', () => {
  it('finds nothing wrong with a Bound claim, nor one waiting for its first consumer', async () => {
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [claim('Bound', 'standard')] }))).toEqual([]);
    const waiting = event(
      PVC,
      'WaitForFirstConsumer',
      'waiting for first consumer to be created before binding',
      { type: 'Normal' },
    );
    expect(
      await run(
        new MemoryContext({ nowMs: NOW, objects: [claim('Pending', 'standard')], events: [waiting] }),
      ),
    ).toEqual([]);
  });

  it('names a StorageClass that does not exist, from the provisioner event', async () => {
    const ev = event(PVC, 'ProvisioningFailed', 'storageclass.storage.k8s.io "fast-ssd" not found');
    const [f] = await run(
      new MemoryContext({ nowMs: NOW, objects: [claim('Pending', 'fast-ssd')], events: [ev] }),
    );
    expect(f?.failureMode).toBe('storage-class-missing');
    expect(f?.title).toBe('PVC data-db-0 is Pending: StorageClass fast-ssd does not exist');
    expect(f?.evidence).toContainEqual(expect.objectContaining({ signal: { kind: 'event', ids: [ev.id] } }));
  });

  it('gives a young claim time to provision, unless the provisioner already said why it cannot', async () => {
    const young = snap(PVC, {
      metadata: { creationTimestamp: new Date(NOW - 30_000).toISOString() },
      spec: { storageClassName: 'fast-ssd' },
      status: { phase: 'Pending' },
    });
    expect(await run(new MemoryContext({ nowMs: NOW, objects: [young] }))).toEqual([]);
    const ev = event(PVC, 'ProvisioningFailed', 'storageclass.storage.k8s.io "fast-ssd" not found', {
      agoMs: 20_000,
    });
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [young], events: [ev] }));
    expect(f?.failureMode).toBe('storage-class-missing');
  });

  it('explains why no PersistentVolume fits a claim without a class', async () => {
    const pv = snap(ref('PersistentVolume', 'pv-small', null), {
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'] },
      status: { phase: 'Available' },
    });
    const [f] = await run(new MemoryContext({ nowMs: NOW, objects: [claim('Pending'), pv] }));
    expect(f?.failureMode).toBe('no-matching-pv');
    expect(f?.explanation).toContain('pv-small: 5Gi is smaller than 10Gi');
  });
});
