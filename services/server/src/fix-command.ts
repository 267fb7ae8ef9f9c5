import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { FrozenConfig } from '@sleuth/core';
import type { ConfigFromFlags } from './diagnose-command';
import type { IncidentFix, OpenResult } from './remediation/fix-service';

export const FIX_HELP = `Usage: sleuth fix INCIDENT [options]

Opens the fix Sleuth proposes for an incident as a branch of the GitOps repository (and, with
remediation.provider github or gitlab, a pull request), or with --dry-run prints it: the diff,
why, the risk, how to roll it back and how to verify it, and why the other root causes have no
fix. Asks the running Sleuth server, which holds the repository settings and records every
request in its audit log (GET /api/v1/fix-actions).

Exit status: 0 with a fix proposed (--dry-run) or opened, 1 when there is none (the reasons are
printed) or the server cannot be reached, 2 for a bad argument.

Options:
  --dry-run            print the proposed fix; change nothing
  --root-cause ID      the root cause to fix (default: the best-ranked one that has a fix)
  --note TEXT          why you open it, kept in the audit log
  --server URL         the Sleuth server (default: server.publicUrl, else server.host:server.port)
  --token-file FILE    an API token with the operator role (docs/security.md), when the server
                       requires sign-in
  --json               print the answer as JSON (the API's)
  --config FILE        YAML or JSON config file
  -h, --help           show this help`;

/** What `sleuth fix` prints and the exit code it ends with. */
export interface FixOutput {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

export interface FixArgs {
  incidentId: string;
  dryRun: boolean;
  rootCauseId?: string | undefined;
  note?: string | undefined;
  json: boolean;
  server: string;
  /** An API token, sent as Authorization: Bearer. */
  token?: string | undefined;
}

/** The server `sleuth fix` asks by default: the public URL, else where `sleuth serve` listens. */
export function defaultServer(config: FrozenConfig): string {
  if (config.server.publicUrl) return config.server.publicUrl.replace(/\/$/, '');
  const host = ['0.0.0.0', '::'].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

function errorText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: shown as it came
  }
  return `the server answered ${status}: ${body.slice(0, 500)}`;
}

/** The proposal as a person reads it in a terminal. */
export function formatFix(f: IncidentFix): string {
  const out: string[] = [];
  const fix = f.fix;
  if (fix) {
    out.push(
      `Fix for incident ${f.incidentId}, root cause ${fix.rootCauseId} (${fix.failureMode}); policy: ${fix.policy}`,
      `Repository: ${f.repo} (${f.provider})`,
      `File: ${fix.definedIn.startsWith(fix.path) ? fix.definedIn : `${fix.path} (${fix.definedIn})`}`,
      `Change: ${fix.target.kind} ${fix.target.namespace ? `${fix.target.namespace}/` : ''}${fix.target.name} ${fix.field}: ${fix.from} -> ${fix.to}`,
      '',
      fix.patch.trimEnd(),
      '',
      `Why: ${fix.rationale}`,
      `Risk: ${fix.risk}`,
      `Rollback: ${fix.rollback}`,
      'Verify:',
      ...fix.commands.map((c) => `  $ ${c}`),
    );
  } else {
    out.push(`No fix for incident ${f.incidentId}.`);
  }
  const others = f.candidates.filter((c) => c.declined);
  if (others.length > 0) {
    out.push('', fix ? 'Other root causes:' : 'Root causes:');
    for (const c of others) out.push(`  ${c.rootCauseId} (${c.failureMode}): ${c.declined?.reason ?? ''}`);
  }
  if (f.pullRequest) out.push('', `Pull request: ${f.pullRequest.url} (${f.pullRequest.status})`);
  else if (f.branch) out.push('', `Branch: ${f.branch}`);
  return `${out.join('\n')}\n`;
}

function formatOpened(r: OpenResult): string {
  const what = { opened: 'Opened', updated: 'Updated', unchanged: 'Already up to date:' }[
    r.action.outcome as 'opened' | 'updated' | 'unchanged'
  ];
  const lines = [
    `${what ?? r.action.outcome} branch ${r.branch} (${r.commit.slice(0, 12)}): ${r.proposal.title}`,
  ];
  if (r.pullRequest) lines.push(`Pull request: ${r.pullRequest.url}`);
  return `${lines.join('\n')}\n`;
}

/** `sleuth fix`: asks the server for the incident's fix (or to open it) and renders the answer. */
export async function runFix(args: FixArgs): Promise<FixOutput> {
  const id = encodeURIComponent(args.incidentId);
  const base = `${args.server.replace(/\/$/, '')}/api/v1/incidents/${id}/fix`;
  const auth: Record<string, string> = args.token ? { authorization: `Bearer ${args.token}` } : {};
  let res: Response;
  try {
    res = args.dryRun
      ? await fetch(args.rootCauseId ? `${base}?rootCause=${encodeURIComponent(args.rootCauseId)}` : base, {
          headers: auth,
        })
      : await fetch(`${base}/pull-request`, {
          method: 'POST',
          headers: {
            ...auth,
            'content-type': 'application/json',
            'user-agent': `sleuth-cli (${userInfo().username})`,
          },
          body: JSON.stringify({
            ...(args.rootCauseId ? { rootCauseId: args.rootCauseId } : {}),
            ...(args.note ? { note: args.note } : {}),
          }),
        });
  } catch (err) {
    return {
      code: 1,
      stdout: '',
      stderr: `sleuth fix: cannot reach the Sleuth server at ${args.server} (${(err as Error).message}): start it with sleuth serve, or pass --server URL.\n`,
    };
  }
  const body = await res.text();
  if (res.status >= 300)
    return { code: 1, stdout: '', stderr: `sleuth fix: ${errorText(res.status, body)}\n` };
  const parsed: unknown = JSON.parse(body);
  if (args.json) return { code: 0, stdout: `${JSON.stringify(parsed, null, 2)}\n`, stderr: '' };
  if (args.dryRun) {
    const f = parsed as IncidentFix;
    return { code: f.fix ? 0 : 1, stdout: formatFix(f), stderr: '' };
  }
  return { code: 0, stdout: formatOpened(parsed as OpenResult), stderr: '' };
}

/** `sleuth fix ARGS`: parses the arguments, prints the fix or what was opened, returns the exit code. */
export async function fixCommand(argv: string[], configFrom: ConfigFromFlags): Promise<number> {
  const usage = (message: string): number => {
    process.stderr.write(`sleuth fix: ${message}\n\n${FIX_HELP}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        'root-cause': { type: 'string' },
        note: { type: 'string' },
        server: { type: 'string' },
        'token-file': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${FIX_HELP}\n`);
    return 0;
  }
  const [incidentId, ...extra] = positionals;
  if (incidentId === undefined) return usage('an incident id is required: sleuth fix INCIDENT');
  if (extra.length > 0) return usage(`one incident only; also got: ${extra.join(' ')}`);
  if (values.note !== undefined && values['dry-run'])
    return usage('--note goes with opening a fix, not --dry-run');
  const server =
    values.server ?? defaultServer(configFrom({ config: values.config }, { 'log.level': 'warn' }));
  const out = await runFix({
    incidentId,
    dryRun: values['dry-run'] ?? false,
    rootCauseId: values['root-cause'],
    note: values.note,
    json: values.json ?? false,
    server,
    token: values['token-file'] === undefined ? undefined : readFileSync(values['token-file'], 'utf8').trim(),
  });
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  return out.code;
}
