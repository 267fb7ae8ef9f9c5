import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EVENT_RESOURCES, OBJECT_RESOURCES } from '@sleuth/kubernetes';

/**
 * The manifests in deploy/kubernetes are what an operator applies: they must parse, grant the
 * collector exactly what it asks the API for (a kind it may not list is silently missing from every
 * diagnosis), and call the agent with flags it knows.
 */
const DIR = join(import.meta.dirname, '..', 'deploy', 'kubernetes');
type Doc = { kind?: string; metadata?: { name?: string }; [k: string]: unknown };
const docs: Doc[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJSON() as Doc;
    }),
  );

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('deploy/kubernetes', () => {
  const role = docs.find((d) => d.kind === 'ClusterRole' && d.metadata?.name === 'sleuth-reader');
  const rules = (role?.['rules'] ?? []) as Rule[];
  const allowed = (group: string, resource: string, verb: string): boolean =>
    rules.some(
      (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
    );

  it('grants get, list and watch on every kind the collector watches, get on pods/log, list on metrics', () => {
    for (const r of [...OBJECT_RESOURCES, EVENT_RESOURCES.preferred, EVENT_RESOURCES.fallback]) {
      for (const verb of ['get', 'list', 'watch']) {
        expect(allowed(r.group, r.plural, verb), `${verb} ${r.plural}.${r.group}`).toBe(true);
      }
    }
    expect(allowed('', 'pods/log', 'get')).toBe(true);
    expect(allowed('metrics.k8s.io', 'pods', 'list')).toBe(true);
    expect(allowed('metrics.k8s.io', 'nodes', 'list')).toBe(true);
  });

  it('grants nothing that writes, and nothing beyond those kinds', () => {
    const wanted = new Set([
      ...[...OBJECT_RESOURCES, EVENT_RESOURCES.preferred, EVENT_RESOURCES.fallback].map(
        (r) => `${r.group}/${r.plural}`,
      ),
      '/pods/log',
      'metrics.k8s.io/pods',
      'metrics.k8s.io/nodes',
    ]);
    for (const r of rules) {
      expect(
        r.verbs.every((v) => ['get', 'list', 'watch'].includes(v)),
        JSON.stringify(r),
      ).toBe(true);
      for (const g of r.apiGroups)
        for (const res of r.resources) expect(wanted.has(`${g}/${res}`), `${g}/${res}`).toBe(true);
    }
  });

  it('runs the agent with flags `sleuth agent` knows, its token from a Secret and its spool on a volume', async () => {
    const deploy = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === 'sleuth-agent');
    type Spec = {
      template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string }[] }[] } };
    };
    const container = (deploy?.['spec'] as Spec).template.spec.containers[0]!;
    expect(container.args[0]).toBe('agent');
    const { main } = await import('@sleuth/server');
    const help: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string | Uint8Array): boolean => {
      help.push(String(chunk));
      return true;
    };
    try {
      await main(['agent', '--help']);
    } finally {
      process.stdout.write = write;
    }
    for (const arg of container.args.slice(1)) {
      const flag = arg.split('=')[0]!;
      expect(help.join(''), flag).toContain(`${flag} `);
    }
    const mounts = container.volumeMounts.map((m) => m.mountPath);
    const spoolDir = container.args.find((a) => a.startsWith('--spool-dir='))?.split('=')[1];
    const tokenFile = container.args.find((a) => a.startsWith('--token-file='))?.split('=')[1];
    expect(mounts).toContain(spoolDir);
    expect(mounts.some((m) => tokenFile?.startsWith(`${m}/`))).toBe(true);
  });
});
