import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ingestOtlp, type JsonObject } from '@sleuth/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpSender } from '../collector';
import { readDumpLines } from './dump-reader';
import { importDump, importItems } from './import-dump';
import { MAX_OBJECT_DEPTH } from './json-documents';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures');
const DUMP = join(FIXTURES, 'cluster-dump');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-import-'));
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, p)), { recursive: true });
    writeFileSync(join(d, p), text);
  }
  return d;
}

type KV = { key: string; value: { stringValue?: string; intValue?: string } };
type Request = {
  resourceLogs: {
    resource: { attributes: KV[] };
    scopeLogs: {
      logRecords: {
        timeUnixNano: string;
        observedTimeUnixNano: string;
        body: { stringValue?: string; kvlistValue?: unknown };
        attributes: KV[];
      }[];
    }[];
  }[];
};

class Recorder implements OtlpSender {
  readonly requests: Request[] = [];
  send(_signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    this.requests.push(JSON.parse(JSON.stringify(request)) as Request);
    return Promise.resolve();
  }
  /** Container log lines sent, with the attributes a user filters on. */
  lines() {
    return this.requests.flatMap((r) =>
      r.resourceLogs
        .filter((rl) => rl.resource.attributes.some((a) => a.key === 'k8s.container.name'))
        .flatMap((rl) => {
          const attr = (k: string): string | undefined =>
            rl.resource.attributes.find((a) => a.key === k)?.value.stringValue;
          return rl.scopeLogs.flatMap((sl) =>
            sl.logRecords.map((l) => ({
              pod: attr('k8s.pod.name'),
              container: attr('k8s.container.name'),
              uid: attr('k8s.pod.uid'),
              node: attr('k8s.node.name'),
              deployment: attr('k8s.deployment.name'),
              ms: Number(BigInt(l.timeUnixNano) / 1_000_000n),
              body: l.body.stringValue,
            })),
          );
        }),
    );
  }
  /** Every record of every request, logs and objects alike. */
  records() {
    return this.requests.flatMap((r) =>
      r.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords)),
    );
  }
}

const pod = (name: string, containers: string[], status: object = {}): object => ({
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, ownerReferences: [] },
  spec: { nodeName: 'node-a', containers: containers.map((c) => ({ name: c, image: `${c}:1` })) },
  status,
});

describe('importDump', () => {
  it('sends objects as the collector does, Secret values masked, observed when the dump was written', async () => {
    const rec = new Recorder();
    const summary = await importDump(join(FIXTURES, 'cluster-dump-extra.json'), {
      cluster: 'lab',
      sender: rec,
    });
    expect(summary.objects).toEqual({ ConfigMap: 1, Secret: 1, PersistentVolumeClaim: 1, StatefulSet: 1 });
    const text = JSON.stringify(rec.requests);
    // The Secret's values, in data and in the last-applied annotation, never leave the import.
    expect(text).not.toContain('aHVudGVyMi1wcm9kLWRi');
    expect(text).not.toContain('Y2hlY2tvdXQ=');
    expect(text).toContain('[redacted]');
    expect(text).toContain('"k8s.resource.name"');

    const dir = folder({
      'extra.json': JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        items: [{ metadata: { name: 'c', namespace: 'n' } }],
      }),
    });
    utimesSync(join(dir, 'extra.json'), new Date('2026-10-01T12:00:00Z'), new Date('2026-10-01T12:00:00Z'));
    const later = new Recorder();
    await importDump(dir, { cluster: 'lab', sender: later });
    expect(later.records().map((r) => r.timeUnixNano)).toEqual([
      String(BigInt(Date.parse('2026-10-01T12:00:00Z')) * 1_000_000n),
    ]);
  });

  it("marks the log of a container waiting to restart as its previous instance's, as the live collector does", async () => {
    const rec = new Recorder();
    await importDump(DUMP, { cluster: 'lab', sender: rec });
    const byPod = new Map<string, boolean[]>();
    for (const rl of rec.requests.flatMap((r) => r.resourceLogs)) {
      const pod = rl.resource.attributes.find((a) => a.key === 'k8s.pod.name')?.value.stringValue ?? '';
      for (const l of rl.scopeLogs.flatMap((s) => s.logRecords)) {
        const previous = l.attributes.some((a) => a.key === 'k8s.container.previous');
        byPod.set(pod, [...(byPod.get(pod) ?? []), previous]);
      }
    }
    // checkout-…-q9z4w waits in CrashLoopBackOff: kubectl dumped its last crashed instance's log.
    expect(byPod.get('checkout-6d8f7b9c5d-q9z4w')).toEqual([true, true, true]);
    expect(byPod.get('checkout-6d8f7b9c5d-7xk2p')?.every((p) => !p)).toBe(true);
    expect(byPod.get('postgres-0')?.every((p) => !p)).toBe(true);
  });

  it('gives log lines times over the container run, in order, with the pod attributes', async () => {
    const rec = new Recorder();
    const summary = await importDump(DUMP, { cluster: 'lab', sender: rec });
    expect(summary).toMatchObject({
      files: 18,
      events: 3,
      logLines: 11,
      logLinesTimed: 11,
      objects: { Pod: 3, Node: 2, Deployment: 1, ReplicaSet: 1, Service: 3 },
      skippedTotal: 0,
    });
    const crash = rec.lines().filter((l) => l.pod === 'checkout-6d8f7b9c5d-q9z4w');
    expect(crash.map((l) => [l.deployment, l.uid, l.node])).toEqual(
      Array(3).fill([
        'checkout',
        '3e0e8f5a-aaaa-4bbb-8ccc-000000000002',
        'ip-10-0-2-41.eu-west-1.compute.internal',
      ]),
    );
    // In CrashLoopBackOff the dumped log is the last run's: 08:09:41 → 08:09:44, spread in order.
    expect(crash.map((l) => l.ms)).toEqual([
      Date.parse('2026-11-22T08:09:41Z'),
      Date.parse('2026-11-22T08:09:42.500Z'),
      Date.parse('2026-11-22T08:09:44Z'),
    ]);
    expect(summary.oldestMs).toBe(Date.parse('2026-11-21T16:02:30Z'));
  });

  it('keeps the time of a line that carries one, and the order of those that do not', async () => {
    const dir = folder({
      'shop/pods.json': JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        items: [
          pod('web-1', ['web'], {
            containerStatuses: [{ name: 'web', state: { running: { startedAt: '2026-11-20T10:00:00Z' } } }],
          }),
        ],
      }),
      'shop/web-1/logs.txt':
        '==== START logs for container web of pod shop/web-1 ====\n' +
        '2026-11-20T10:00:05.123456789Z listening\nno stamp\n2026-11-20T11:00:00Z done\n' +
        '==== END logs for container web of pod shop/web-1 ====\n',
    });
    utimesSync(
      join(dir, 'shop/web-1/logs.txt'),
      new Date('2026-11-20T12:00:00Z'),
      new Date('2026-11-20T12:00:00Z'),
    );
    const rec = new Recorder();
    const summary = await importDump(dir, { cluster: 'lab', sender: rec });
    expect(summary.logLinesTimed).toBe(1);
    // Three lines over 10:00 (start) → 12:00 (the file's time, the container still running).
    expect(rec.lines().map((l) => `${new Date(l.ms).toISOString()} ${l.body}`)).toEqual([
      '2026-11-20T10:00:05.123Z listening',
      '2026-11-20T11:00:00.000Z no stamp',
      '2026-11-20T11:00:00.000Z done',
    ]);
  });

  it("gives a section-less logs.txt to the pod's only container, and says why when it cannot", async () => {
    const dir = folder({
      'shop/pods.json': JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        items: [pod('one', ['app']), pod('two', ['app', 'proxy'])],
      }),
      'shop/one/logs.txt': 'hello from app\n',
      'shop/two/logs.txt': 'whose line is it\n',
      'shop/two/proxy/logs.txt': 'proxy up\n',
    });
    const rec = new Recorder();
    const summary = await importDump(dir, { cluster: 'lab', sender: rec });
    expect(rec.lines().map((l) => `${l.pod}/${l.container}: ${l.body}`)).toEqual([
      'one/app: hello from app',
      'two/proxy: proxy up',
    ]);
    expect(summary.skipped).toEqual([
      {
        file: join('shop', 'two', 'logs.txt'),
        reason: '1 log lines: no container named and pod shop/two has 2',
      },
    ]);
  });

  it('sends at most batchSize records per request and loses none', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    const dir = folder({
      'shop/pods.json': JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        items: Array.from({ length: 7 }, (_, i) => pod(`p${i}`, ['c'])),
      }),
      'shop/p0/logs.txt': `${lines.join('\n')}\n`,
      'shop/p1/c/logs.txt': `${lines.join('\n')}\n`,
    });
    const rec = new Recorder();
    const summary = await importDump(dir, { cluster: 'lab', sender: rec, batchSize: 4 });
    expect(summary).toMatchObject({ logLines: 50, objects: { Pod: 7 } });
    expect(
      Math.max(
        ...rec.requests.map((r) => r.resourceLogs.flatMap((rl) => rl.scopeLogs[0]?.logRecords ?? []).length),
      ),
    ).toBe(4);
    expect(rec.records()).toHaveLength(57);
    expect(
      rec
        .lines()
        .filter((l) => l.pod === 'p1')
        .map((l) => l.body),
    ).toEqual(lines);
  });

  // Both found by test/fuzz/cluster-dump.fuzz.test.ts; each stopped the whole import.
  it('skips an object nested deeper than receivers read, and imports a pod of odd shapes', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < MAX_OBJECT_DEPTH; i++) deep = { a: deep };
    const odd = {
      ...pod('odd', ['app']),
      metadata: { name: 'odd', namespace: 'shop', uid: 'u', ownerReferences: '18446744073709551615' },
      status: { containerStatuses: [null, 'app', { name: 'app', state: 7 }] },
    };
    const text = [
      JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        items: [{ metadata: { name: 'deep' }, data: deep }],
      }),
      JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [odd] }),
      '==== START logs for container app of pod shop/odd ====',
      'still read',
      '==== END logs for container app of pod shop/odd ====',
    ];
    const rec = new Recorder();
    const summary = await importItems(
      readDumpLines('dump.json', Date.now(), () => text),
      { cluster: 'lab', sender: rec },
    );
    expect(summary.objects).toEqual({ Pod: 1 });
    expect(summary.skipped).toHaveLength(1);
    expect(summary.skipped[0]).toMatchObject({ file: 'dump.json', line: 1, item: 0 });
    expect(summary.skipped[0]?.reason).toContain(`more than ${MAX_OBJECT_DEPTH} levels`);
    expect(rec.lines().map((l) => [l.pod, l.body])).toEqual([['odd', 'still read']]);
    const ctx = { defaultCluster: 'lab', redact: false, receivedMs: Date.now() };
    for (const r of rec.requests) {
      expect(() => ingestOtlp('logs', 'json', Buffer.from(JSON.stringify(r)), ctx)).not.toThrow();
    }
  });
});
