import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@sleuth/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpSender } from '../collector';
import { readDump } from './dump-reader';
import { importDump } from './import-dump';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures');
const DUMP = join(FIXTURES, 'cluster-dump');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-dump-'));
  dirs.push(d);
  return d;
};

class Recorder implements OtlpSender {
  readonly requests: JsonObject[] = [];
  send(_signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    this.requests.push(request);
    return Promise.resolve();
  }
  text(): string {
    return JSON.stringify(this.requests);
  }
}

/** Every file of the fixture in kubectl's stdout order: one stream, as without --output-directory. */
function asStream(): string {
  const files = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
  return files(DUMP)
    .map((f) => readFileSync(f, 'utf8'))
    .join('');
}

describe('readDump', () => {
  it('reads the --output-directory layout: typed Lists whose items carry no kind, and logs.txt sections', async () => {
    const d = await readDump(DUMP);
    const kinds = d.objects.map((o) => o.kind).sort();
    expect(kinds).toEqual([
      'Deployment',
      'Event',
      'Event',
      'Event',
      'Node',
      'Node',
      'Pod',
      'Pod',
      'Pod',
      'ReplicaSet',
      'Service',
      'Service',
      'Service',
    ]);
    expect(d.objects.find((o) => o.kind === 'Deployment')?.apiVersion).toBe('apps/v1');
    const crash = d.logs.find((l) => l.pod === 'checkout-6d8f7b9c5d-q9z4w');
    expect(crash).toMatchObject({ namespace: 'shop', container: 'checkout' });
    expect(crash?.lines.at(-1)).toBe(
      'FATAL: could not connect to database postgres.shop.svc:5432 after 3 attempts: connection refused',
    );
    expect(d.skipped).toEqual([]);
  });

  it('reads the single-stream output the same way', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cluster-info.dump'), asStream());
    const stream = await readDump(join(dir, 'cluster-info.dump'));
    const layout = await readDump(DUMP);
    expect(stream.objects.length).toBe(layout.objects.length);
    expect(stream.logs.map((l) => `${l.pod}:${l.lines.length}`).sort()).toEqual(
      layout.logs.map((l) => `${l.pod}:${l.lines.length}`).sort(),
    );
  });

  it('reads a kubectl get -o json List of mixed kinds', async () => {
    const d = await readDump(join(FIXTURES, 'cluster-dump-extra.json'));
    expect(d.objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'v1 ConfigMap',
      'v1 Secret',
      'v1 PersistentVolumeClaim',
      'apps/v1 StatefulSet',
    ]);
  });

  it('skips what it cannot use with the file, position and reason, and reads the rest', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'good.json'),
      JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        items: [{ metadata: { name: 'a', namespace: 'x' } }, { spec: {} }],
      }),
    );
    writeFileSync(join(dir, 'broken.json'), '{"kind": "PodList", "items": [');
    writeFileSync(join(dir, 'notes.md'), '# not a dump');
    writeFileSync(
      join(dir, 'logs.txt'),
      '==== START logs for container app of pod x/a ====\nRequest log error: the server rejected our request (pods "a" not found)\n==== END logs for container app of pod x/a ====\nstray text\n',
    );
    const d = await readDump(dir);
    expect(d.objects.map((o) => o.metadata?.name)).toEqual(['a']);
    expect(d.skipped.map((s) => `${s.file}${s.at === undefined ? '' : `:${s.at}`} ${s.reason}`)).toEqual([
      'broken.json:1 a JSON document is cut short (the file ends inside it)',
      'good.json:1 a List item without kind, apiVersion or metadata.name',
      'logs.txt:2 no log for x/a app: Request log error: the server rejected our request (pods "a" not found)',
      'logs.txt:4 not JSON and not a log section: "stray text"',
      'notes.md not a .json, .txt, .log or .dump file',
    ]);
  });
});

describe('importDump', () => {
  it('sends objects, events and logs as the collector would, with Secret values masked', async () => {
    const rec = new Recorder();
    const summary = await importDump(join(FIXTURES, 'cluster-dump-extra.json'), {
      cluster: 'lab',
      sender: rec,
    });
    expect(summary.objects).toEqual({ ConfigMap: 1, Secret: 1, PersistentVolumeClaim: 1, StatefulSet: 1 });
    const text = rec.text();
    expect(text).not.toContain('aHVudGVyMi1wcm9kLWRi');
    expect(text).toContain('[redacted]');
  });

  it('gives log lines times over the container run, in order, with the pod attributes', async () => {
    const rec = new Recorder();
    const summary = await importDump(DUMP, { cluster: 'lab', sender: rec });
    expect(summary).toMatchObject({ events: 3, logLines: 11, objects: { Pod: 3, Node: 2, Deployment: 1 } });
    type KV = { key: string; value: { stringValue?: string } };
    const logs = rec.requests.flatMap((r) =>
      (
        r['resourceLogs'] as {
          resource: { attributes: KV[] };
          scopeLogs: { logRecords: { timeUnixNano: string; body: { stringValue: string } }[] }[];
        }[]
      )
        .filter((rl) => rl.resource.attributes.some((a) => a.key === 'k8s.container.name'))
        .flatMap((rl) =>
          rl.scopeLogs.flatMap((sl) =>
            sl.logRecords.map((l) => ({
              pod: rl.resource.attributes.find((a) => a.key === 'k8s.pod.name')?.value.stringValue,
              deployment: rl.resource.attributes.find((a) => a.key === 'k8s.deployment.name')?.value
                .stringValue,
              ms: Number(BigInt(l.timeUnixNano) / 1_000_000n),
              body: l.body.stringValue,
            })),
          ),
        ),
    );
    const crash = logs.filter((l) => l.pod === 'checkout-6d8f7b9c5d-q9z4w');
    expect(crash.map((l) => l.deployment)).toEqual(['checkout', 'checkout', 'checkout']);
    // lastState.terminated ran 08:09:41 → 08:09:44: the three lines are spread over it, in order.
    expect(crash.map((l) => l.ms)).toEqual([
      Date.parse('2026-11-22T08:09:41Z'),
      Date.parse('2026-11-22T08:09:42.500Z'),
      Date.parse('2026-11-22T08:09:44Z'),
    ]);
  });
});
