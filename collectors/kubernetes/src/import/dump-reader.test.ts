import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawObject } from '../kube-api';
import { readDump, type DumpLogSection, type Skipped } from './dump-reader';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures');
const DUMP = join(FIXTURES, 'cluster-dump');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder holding `files` (path → content). */
function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-dump-'));
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, p)), { recursive: true });
    writeFileSync(join(d, p), text);
  }
  return d;
}

/** Everything a read yields, with each section's chunks joined back. */
async function read(path: string) {
  const objects: RawObject[] = [];
  const skipped: Skipped[] = [];
  const files: string[] = [];
  const logs = new Map<DumpLogSection, { first: number; lines: string[] }[]>();
  for await (const item of readDump(path)) {
    if (item.type === 'file') files.push(item.file);
    else if (item.type === 'objects') objects.push(...item.objects);
    else if (item.type === 'skipped') skipped.push(item.skipped);
    else
      logs.set(item.section, [...(logs.get(item.section) ?? []), { first: item.first, lines: item.lines }]);
  }
  const sections = [...logs].map(([s, chunks]) => ({ ...s, lines: chunks.flatMap((c) => c.lines), chunks }));
  const where = skipped.map(
    (s) =>
      `${s.file}${s.line === undefined ? '' : `:${s.line}`}${s.item === undefined ? '' : ` item ${s.item}`} ${s.reason}`,
  );
  return { objects, skipped: where, files, sections };
}

/**
 * The fixture as kubectl writes it without --output-directory, in its order: nodes, then per
 * namespace its Lists and, after pods, each pod's log sections.
 */
function asStream(): string {
  const read = (...p: string[]): string => readFileSync(join(DUMP, ...p), 'utf8');
  const lists = [
    'events',
    'replication-controllers',
    'services',
    'daemonsets',
    'deployments',
    'replicasets',
    'pods',
  ];
  const namespaces = readdirSync(DUMP).filter((f) => statSync(join(DUMP, f)).isDirectory());
  return [
    read('nodes.json'),
    ...namespaces.flatMap((ns) => [
      ...lists.map((l) => read(ns, `${l}.json`)),
      ...readdirSync(join(DUMP, ns))
        .filter((f) => statSync(join(DUMP, ns, f)).isDirectory())
        .map((pod) => read(ns, pod, 'logs.txt')),
    ]),
  ].join('');
}

describe('readDump', () => {
  it('reads the --output-directory layout: typed Lists whose items carry no kind, and logs.txt sections', async () => {
    const d = await read(DUMP);
    expect(d.skipped).toEqual([]);
    expect(d.objects.map((o) => o.kind).sort()).toEqual([
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
    expect(d.objects.find((o) => o.kind === 'Node')?.apiVersion).toBe('v1');
    const crash = d.sections.find((l) => l.pod === 'checkout-6d8f7b9c5d-q9z4w');
    expect(crash).toMatchObject({ namespace: 'shop', container: 'checkout', total: 3 });
    expect(crash?.lines.at(-1)).toBe(
      'FATAL: could not connect to database postgres.shop.svc:5432 after 3 attempts: connection refused',
    );
    // Pods come before their logs: every .json file is read before the logs.txt files.
    expect(d.files.findIndex((f) => f.endsWith('logs.txt'))).toBeGreaterThan(
      d.files.findIndex((f) => f.endsWith('pods.json')),
    );
  });

  it('reads the single-stream output (no --output-directory) the same way', async () => {
    const dir = folder({ 'cluster-info.dump': asStream() });
    const stream = await read(join(dir, 'cluster-info.dump'));
    const layout = await read(DUMP);
    expect(stream.skipped).toEqual([]);
    expect(stream.objects.map((o) => o.metadata?.uid).sort()).toEqual(
      layout.objects.map((o) => o.metadata?.uid).sort(),
    );
    const lines = (s: typeof layout.sections): string[] =>
      s.map((l) => `${l.pod}/${l.container}:${l.lines.join('|')}`).sort();
    expect(lines(stream.sections)).toEqual(lines(layout.sections));
  });

  it('reads a kubectl get -o json List of mixed kinds', async () => {
    const d = await read(join(FIXTURES, 'cluster-dump-extra.json'));
    expect(d.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`)).toEqual([
      'v1 ConfigMap checkout-config',
      'v1 Secret checkout-db',
      'v1 PersistentVolumeClaim data-postgres-0',
      'apps/v1 StatefulSet postgres',
    ]);
  });

  it('keeps a last log line that kubectl wrote on the END marker line (a log without a final newline)', async () => {
    const dir = folder({
      'shop/web-1/logs.txt':
        '==== START logs for container init of pod shop/web-1 ====\n' +
        'migrated==== END logs for container init of pod shop/web-1 ====\n' +
        '==== START logs for container web of pod shop/web-1 ====\n' +
        '{"msg":"ready"}\n\nbye\n' +
        '==== END logs for container web of pod shop/web-1 ====\n',
    });
    const d = await read(dir);
    expect(d.skipped).toEqual([]);
    expect(d.sections.map((s) => `${s.container}:${s.total}:${s.lines.join('|')}`)).toEqual([
      'init:1:migrated',
      'web:2:{"msg":"ready"}|bye',
    ]);
  });

  it('reads section-less per-container log files, naming the container from the path when it can', async () => {
    const dir = folder({
      'shop/web-1/web/logs.txt': 'GET /healthz 200\nGET /cart 500\n',
      'shop/web-2/logs.txt': 'started\n',
    });
    const d = await read(dir);
    expect(d.skipped).toEqual([]);
    expect(d.sections.map((s) => `${s.pod} ${String(s.container)} ${s.total} ${s.lines.join('|')}`)).toEqual([
      'web-1 web 2 GET /healthz 200|GET /cart 500',
      'web-2 undefined 1 started',
    ]);
  });

  it('hands a long log over in chunks that know their place in the whole', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i}`);
    const dir = folder({
      'big/p/logs.txt': `==== START logs for container c of pod big/p ====\n${lines.join('\n')}\n==== END logs for container c of pod big/p ====\n`,
    });
    const [section] = (await read(dir)).sections;
    expect(section?.chunks.map((c) => `${c.first}+${c.lines.length}`)).toEqual([
      '0+1000',
      '1000+1000',
      '2000+500',
    ]);
    expect(section?.total).toBe(2500);
    expect(section?.lines.at(-1)).toBe('line 2499');
  });

  it('skips what it cannot use with the file, line, item and reason, and reads the rest', async () => {
    const dir = folder({
      'good.json': JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        items: [{ metadata: { name: 'a', namespace: 'x' } }, { spec: {} }, 'nonsense'],
      }),
      'broken.json': '{"kind": "PodList", "items": [',
      'bad.json': '{"kind": "PodList", items: []}\n',
      'notes.md': '# not a dump',
      'x/nodes.yaml': 'kind: NodeList\n',
      'x/a/logs.txt':
        '==== START logs for container app of pod x/a ====\n' +
        'Request log error: the server rejected our request (pods "a" not found)\n' +
        '==== END logs for container app of pod x/a ====\n' +
        'stray text\nmore stray text\n' +
        '==== START logs for container side of pod x/a ====\nhalf a log\n',
    });
    const d = await read(dir);
    expect(d.objects.map((o) => o.metadata?.name)).toEqual(['a']);
    expect(d.sections.map((s) => `${s.container}:${s.lines.join('|')}`)).toEqual(['side:half a log']);
    expect(d.skipped).toEqual([
      expect.stringMatching(/^bad\.json:1 not valid JSON: /),
      'broken.json:1 a JSON document is cut short (it never closes)',
      'good.json:1 item 1 a List item without kind, apiVersion or metadata.name',
      'good.json:1 item 2 a List item that is not an object',
      'notes.md not a .json, .txt, .log or .dump file',
      'x/a/logs.txt:2 no log of x/a app: Request log error: the server rejected our request (pods "a" not found)',
      'x/a/logs.txt:4 2 lines neither JSON nor a log section: "stray text"',
      'x/a/logs.txt:7 the log of x/a side has no END marker (the dump is cut short?)',
      "x/nodes.yaml YAML is not read: take the dump with -o json (kubectl's default)",
    ]);
  });

  it('rejects when the path itself cannot be read', async () => {
    await expect(read('/nonexistent/dump')).rejects.toThrow(/ENOENT/);
  });
});
