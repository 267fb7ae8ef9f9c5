import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TopologySource } from '@sleuth/analyze';
import { parseArgs } from 'node:util';
import { createLogger, type FrozenConfig, type Logger, type ResourceRef } from '@sleuth/core';
import { storeContextOptions } from './prometheus-setup';
import { diagnoseResource, type ResourceDiagnosis } from './resource-diagnosis';
import { parseResourceArg, type ResourceArg } from './resource-arg';

export const DIAGNOSE_HELP = `Usage: sleuth diagnose NAMESPACE/KIND/NAME [options]

Explains what is wrong with one resource from what Sleuth has stored (watched, received or
imported with 'sleuth import'): the analyzers' findings on it, its pods and its owning workload,
ranked with their confidence and evidence (log lines, events, object fields), what to do about
each (steps, kubectl to confirm, the manifest change), and any open incident that includes it.
KIND may be kubectl's name or short name (pod, deploy, sts, svc); a cluster-scoped resource is
KIND/NAME (node/ip-10-0-1-17).

Exit status: 0 with a diagnosis (a healthy resource included), 1 when the resource is not stored
(close matches are listed), 2 for a bad argument.

Options:
  --cluster NAME       the cluster (needed only when several hold such a resource)
  --data-dir DIR       the store to read (default .data; the server's store.dataDir)
  --json               print the diagnosis as JSON (the same as GET /api/v1/diagnosis)
  --config FILE        YAML or JSON config file
  --log-level LEVEL    trace | debug | info | warn | error | silent
  -h, --help           show this help`;

/** What `sleuth diagnose` prints and the exit code it ends with. */
export interface DiagnoseOutput {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

const where = (r: ResourceRef): string => `${r.namespace ? `${r.namespace}/` : ''}${r.kind}/${r.name}`;
const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** How the CLI builds the config from parsed flags and per-command overrides. */
export type ConfigFromFlags = (
  values: Record<string, string | boolean | undefined>,
  extra: Record<string, unknown>,
) => FrozenConfig;

/** `sleuth diagnose ARGS`: parses the arguments, prints the diagnosis, returns the exit code. */
export async function diagnoseCommand(argv: string[], configFrom: ConfigFromFlags): Promise<number> {
  const usage = (message: string): number => {
    process.stderr.write(`sleuth diagnose: ${message}\n\n${DIAGNOSE_HELP}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        cluster: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${DIAGNOSE_HELP}\n`);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (target === undefined) return usage('a resource is required: sleuth diagnose NAMESPACE/KIND/NAME');
  if (extra.length > 0) return usage(`one resource only; also got: ${extra.join(' ')}`);
  const arg = parseResourceArg(target);
  if ('error' in arg) return usage(arg.error);
  const config = configFrom(values, {
    'store.dataDir': values['data-dir'],
    'log.level': values['log-level'] ?? 'warn',
  });
  const out = await runDiagnose(config, createLogger(config.log.level), arg, {
    cluster: values.cluster,
    json: values.json ?? false,
  });
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  return out.code;
}

/**
 * `sleuth diagnose`: opens the store of `store.dataDir` as the server does, diagnoses the
 * resource and renders it for a terminal (or as JSON). Never changes the store.
 */
export async function runDiagnose(
  config: FrozenConfig,
  logger: Logger,
  arg: ResourceArg,
  opts: { cluster?: string | undefined; json: boolean },
): Promise<DiagnoseOutput> {
  const db = join(config.store.dataDir, 'sleuth.db');
  if (!existsSync(db)) {
    return {
      code: 1,
      stdout: '',
      stderr:
        `sleuth diagnose: no Sleuth store at ${config.store.dataDir} (no sleuth.db there): ` +
        'load a dump with sleuth import, or point --data-dir at the folder sleuth serve uses.\n',
    };
  }
  const { openStore } = await import('./serve');
  const store = await openStore(config, logger);
  try {
    const result = await diagnoseResource(
      { store, topology: new TopologySource(store), analysis: storeContextOptions(config, logger) },
      arg,
      opts.cluster,
    );
    if ('notFound' in result) {
      const objects = (await store.stats()).counts.objects;
      const lines = [`sleuth diagnose: ${result.notFound} in ${config.store.dataDir}.`];
      if (result.closeMatches.length > 0) {
        lines.push('Close matches:');
        for (const r of result.closeMatches) lines.push(`  ${where(r)}  (cluster ${r.cluster})`);
      } else if (objects === 0) {
        lines.push(
          'The store holds no Kubernetes objects: load a dump with sleuth import, or run sleuth serve.',
        );
      } else {
        lines.push('No similar name is stored either: list them with GET /api/v1/objects?kind=KIND.');
      }
      return { code: 1, stdout: '', stderr: `${lines.join('\n')}\n` };
    }
    return {
      code: 0,
      stdout: opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiagnosis(result),
      stderr: '',
    };
  } finally {
    await store.stop();
  }
}

/** The diagnosis as a person reads it in a terminal. */
export function formatDiagnosis(d: ResourceDiagnosis): string {
  const out: string[] = [];
  const others = d.analyzed.filter((r) => where(r) !== where(d.resource));
  out.push(
    `${where(d.resource)} in cluster ${d.resource.cluster}` +
      (others.length > 0 ? ` (analyzed with ${others.map(where).join(', ')})` : ''),
    '',
  );
  if (d.rootCauses.length === 0) {
    out.push(
      `Nothing wrong found: no analyzer sees a problem with ${where(d.resource)} or what was analyzed with it.`,
    );
  }
  for (const rc of d.rootCauses) {
    out.push(`${rc.rank}. ${rc.failureMode} on ${where(rc.resource)}, confidence ${percent(rc.confidence)}`);
    out.push(`   ${rc.hypothesis}`);
    out.push('   Evidence:');
    for (const e of rc.evidence) {
      out.push(`   - ${e.summary}`);
      for (const q of e.quotes) out.push(`       ${q}`);
    }
    const rec = d.recommendations.find((r) => r.rootCauseId === rc.id);
    if (rec) {
      out.push('   What to do:');
      rec.steps.forEach((s, i) => out.push(`     ${i + 1}. ${s}`));
      if (rec.commands.length > 0) {
        out.push('   Confirm with:');
        for (const c of rec.commands) out.push(`     $ ${c}`);
      }
      if (rec.patch) {
        const p = rec.patch;
        out.push(
          `   Change: ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} ${p.field}: ${p.from} -> ${p.to}`,
          `     (${p.rationale})`,
        );
      }
    }
    out.push('');
  }
  if (d.events.length > 0) {
    out.push('Recent Warning events:');
    for (const e of d.events) {
      const times = e.count > 1 ? ` (×${e.count} since ${new Date(e.firstMs).toISOString()})` : '';
      out.push(
        `  ${new Date(e.lastMs).toISOString()} ${where(e.involved)} ${e.reason}${times}: ${e.message}`,
      );
    }
    out.push('');
  }
  if (d.openIncidents.length > 0) {
    out.push('Open incidents that include it:');
    for (const i of d.openIncidents) {
      out.push(`  ${i.id} [${i.severity}] ${i.title} (since ${new Date(i.startMs).toISOString()})`);
    }
  } else {
    out.push('No open incident includes it.');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
