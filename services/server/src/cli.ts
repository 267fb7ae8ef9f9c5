import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, createLogger, isSleuthError, loadConfig, type FrozenConfig } from '@sleuth/core';

const MAIN_HELP = `sleuth — an AI SRE for Kubernetes fleets

Usage: sleuth <command> [options]

Commands:
  serve      Run the Sleuth server (the default command)
  simulate   Run only the simulated fleet, sending OTLP to a Sleuth server
  agent      Watch the cluster this runs in and push to a Sleuth server
  import     Load a kubectl cluster-info dump (or kubectl get -o json files)
  diagnose   Explain what is wrong with a resource: ranked causes, evidence, what to do
  fix        Show (--dry-run) or open an incident's fix as a branch or pull request

Run 'sleuth <command> --help' for a command's options.
Every setting can also come from a config file (--config) or SLEUTH_* environment
variables; see docs/configuration.md.`;

const SERVE_HELP = `Usage: sleuth serve [options]

Runs the server: OTLP receivers, query API, web UI. With no cluster configured it
also runs the simulated fleet, which sends its signals through the same receivers.

Options:
  --config FILE        YAML or JSON config file (or SLEUTH_CONFIG)
  --host HOST          address to bind (default 127.0.0.1)
  --port PORT          port to listen on (default 7070; 0 picks a free one)
  --data-dir DIR       folder for the SQLite database (default .data)
  --simulator MODE     auto | on | off (default auto)
  --seed N             simulator seed (default 42)
  --speed X            simulated seconds per real second (default 1)
  --log-level LEVEL    trace | debug | info | warn | error | silent
  -h, --help           show this help`;

const SIMULATE_HELP = `Usage: sleuth simulate --server URL [options]

Runs only the simulated fleet and sends OTLP/HTTP to a running Sleuth server.

Options:
  --server URL         base URL of the Sleuth server (required), e.g. http://127.0.0.1:7070
  --encoding ENC       json | protobuf (default protobuf)
  --seed N             seed; the same seed gives the same fleet (default 42)
  --speed X            simulated seconds per real second (default 1)
  --log-level LEVEL    trace | debug | info | warn | error | silent
  -h, --help           show this help`;

const AGENT_HELP = `Usage: sleuth agent --server URL --cluster NAME [options]

Runs in a cluster: watches its objects, events, container logs and resource usage, and pushes
them to a Sleuth server with the cluster's token. Requests wait in an on-disk spool while the
server is unreachable and are delivered, in order and once, when it is back.

Options:
  --server URL         the Sleuth server (or SLEUTH_AGENT_SERVER)
  --cluster NAME       this cluster's name in Sleuth (or SLEUTH_AGENT_CLUSTER)
  --token-file FILE    file holding the cluster's token (or SLEUTH_AGENT_TOKEN_FILE,
                       or the token itself in SLEUTH_AGENT_TOKEN)
  --spool-dir DIR      spool folder (default .sleuth-agent)
  --spool-max-mb N     spool size beyond which collecting waits (default 512)
  --kubeconfig FILE    kubeconfig (default: the pod's service account, KUBECONFIG, ~/.kube/config)
  --context NAME       kubeconfig context
  --health-port PORT   serve GET /healthz with the agent's status (default off)
  --config FILE        YAML or JSON config file (kubernetes.logs.*, kubernetes.usage.* apply)
  --log-level LEVEL    trace | debug | info | warn | error | silent
  -h, --help           show this help`;

const IMPORT_HELP = `Usage: sleuth import PATH [options]

Loads a cluster Sleuth never watched: PATH is the folder written by
  kubectl cluster-info dump --all-namespaces --output-directory=PATH
(or its single-stream output, or files of kubectl get ... -o json, or a folder of them).
Objects, events and container logs become queryable; the topology is built from them.

Options:
  --cluster NAME       the cluster's name in Sleuth (default: PATH's folder name)
  --server URL         send to a running Sleuth server instead of writing the store directly
  --token-file FILE    with --server: the cluster's agent token, when the server requires one
  --data-dir DIR       the store to write when there is no --server (default .data)
  --config FILE        YAML or JSON config file
  --log-level LEVEL    trace | debug | info | warn | error | silent
  -h, --help           show this help`;

const COMMON = {
  config: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`--${flag} must be a number, got "${value}"`);
  return n;
}

function configFrom(
  values: Record<string, string | boolean | undefined>,
  extra: Record<string, unknown>,
): FrozenConfig {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  return loadConfig({
    file: str('config') ?? process.env['SLEUTH_CONFIG'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SLEUTH_CONFIG')),
    overrides: {
      'simulator.seed': num('seed', str('seed')),
      'simulator.speed': num('speed', str('speed')),
      'log.level': str('log-level'),
      ...extra,
    },
  });
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON,
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      simulator: { type: 'string' },
    },
  });
  if (values.help) return printHelp(SERVE_HELP);
  const config = configFrom(values, {
    'server.host': values.host,
    'server.port': num('port', values.port),
    'store.dataDir': values['data-dir'],
    'simulator.mode': values.simulator,
  });
  const logger = createLogger(config.log.level);
  const { startTelemetry } = await import('./telemetry');
  const telemetry = await startTelemetry(config, logger);
  // Imported after telemetry so the HTTP instrumentation can patch node:http first.
  const { startServer } = await import('./serve');
  const server = await startServer(config, logger);
  await untilSignal();
  logger.info('shutting down: finishing accepted writes');
  await server.stop();
  await telemetry?.stop();
  return 0;
}

async function simulate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, server: { type: 'string' }, encoding: { type: 'string' } },
  });
  if (values.help) return printHelp(SIMULATE_HELP);
  if (!values.server) throw new ConfigError('--server URL is required (the Sleuth server to send to)');
  const encoding = values.encoding ?? 'protobuf';
  if (encoding !== 'json' && encoding !== 'protobuf') {
    throw new ConfigError(`--encoding must be json or protobuf, got "${encoding}"`);
  }
  const config = configFrom(values, {});
  const logger = createLogger(config.log.level);
  const { runStandaloneSimulator } = await import('./simulate');
  const stop = await runStandaloneSimulator(config, { url: values.server, encoding }, logger);
  await untilSignal();
  await stop();
  return 0;
}

async function agent(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      server: { type: 'string' },
      cluster: { type: 'string' },
      'token-file': { type: 'string' },
      'spool-dir': { type: 'string' },
      'spool-max-mb': { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'health-port': { type: 'string' },
    },
  });
  if (values.help) return printHelp(AGENT_HELP);
  const config = configFrom(values, {
    'agent.server': values.server,
    'agent.cluster': values.cluster,
    'agent.tokenFile': values['token-file'],
    'agent.spoolDir': values['spool-dir'],
    'agent.spoolMaxMegabytes': num('spool-max-mb', values['spool-max-mb']),
    'agent.healthPort': num('health-port', values['health-port']),
    'kubernetes.mode': 'on',
    'kubernetes.kubeconfig': values.kubeconfig,
    'kubernetes.context': values.context,
    'kubernetes.cluster': values.cluster,
  });
  const logger = createLogger(config.log.level);
  const { startAgent } = await import('./agent-command');
  const running = await startAgent(config, logger);
  await untilSignal();
  logger.info('agent stopping: unshipped requests stay in the spool');
  await running.stop();
  return 0;
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      cluster: { type: 'string' },
      server: { type: 'string' },
      'data-dir': { type: 'string' },
      'token-file': { type: 'string' },
    },
  });
  if (values.help) return printHelp(IMPORT_HELP);
  const [path, ...extra] = positionals;
  if (path === undefined) throw new ConfigError('a PATH to import is required: sleuth import PATH');
  if (extra.length > 0) throw new ConfigError(`one PATH only; also got: ${extra.join(' ')}`);
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) throw new ConfigError(`nothing to import at ${path}`);
  const config = configFrom(values, {
    'store.dataDir': values['data-dir'],
    'agent.tokenFile': values['token-file'],
    'log.level': values['log-level'] ?? 'warn',
  });
  const logger = createLogger(config.log.level);
  const { formatSummary, importClusterName, runImport } = await import('./import-command');
  const summary = await runImport(config, logger, path, {
    cluster: importClusterName(path, values.cluster),
    server: values.server,
  });
  process.stdout.write(`${formatSummary(summary, config.store.retentionMaxAgeHours)}\n`);
  if (summary.events + summary.logLines + Object.keys(summary.objects).length > 0) return 0;
  process.stderr.write(`sleuth: nothing in ${path} could be imported (see skipped above)\n`);
  return 1;
}

function printHelp(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Entry point of the `sleuth` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first.startsWith('-')) {
      if (first === '--help' || first === '-h') return printHelp(MAIN_HELP);
      return await serve(argv);
    }
    if (first === 'serve') return await serve(rest);
    if (first === 'simulate') return await simulate(rest);
    if (first === 'agent') return await agent(rest);
    if (first === 'import') return await importCommand(rest);
    if (first === 'diagnose')
      return await (await import('./diagnose-command')).diagnoseCommand(rest, configFrom);
    if (first === 'fix') return await (await import('./fix-command')).fixCommand(rest, configFrom);
    if (first === 'help') return printHelp(MAIN_HELP);
    process.stderr.write(`sleuth: unknown command "${first}"\n\n${MAIN_HELP}\n`);
    return 2;
  } catch (err) {
    if (isSleuthError(err) || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sleuth: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
