import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  ConfigError,
  SleuthError,
  UnauthorizedError,
  UnavailableError,
  delay,
  type FrozenConfig,
  type Logger,
} from '@sleuth/core';
import { importDump, type ImportSummary, type OtlpSender } from '@sleuth/kubernetes';
import type { JsonObject } from '@sleuth/pipeline';
import { ClusterRegistry } from './clusters';
import { InProcessSender } from './in-process-sender';
import { ServerMetrics } from './metrics';

/** Sends OTLP JSON to a running server's receivers, waiting out 429/503 as an exporter does. */
class HttpSender implements OtlpSender {
  constructor(
    private readonly server: string,
    private readonly token: string | undefined,
  ) {}

  async send(signal: 'logs' | 'metrics', request: JsonObject): Promise<void> {
    const url = `${this.server.replace(/\/$/, '')}/v1/${signal}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
          },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (err) {
        if (attempt >= 5) throw new UnavailableError(`cannot reach ${url}: ${(err as Error).message}`);
        await delay(1000 * attempt);
        continue;
      }
      const text = await res.text();
      if (res.status === 200) {
        const body = JSON.parse(text || '{}') as {
          partialSuccess?: { errorMessage?: string; rejectedLogRecords?: unknown };
        };
        const message = body.partialSuccess?.errorMessage;
        // A message with nothing rejected is a warning: attributes past the server's limits were cut.
        const rejected = Number(body.partialSuccess?.rejectedLogRecords ?? 0) > 0;
        if (message)
          process.stderr.write(
            `sleuth import: ${rejected ? 'the server rejected some records' : 'the server stored the records with a warning'}: ${message}\n`,
          );
        return;
      }
      if ((res.status === 429 || res.status === 503) && attempt < 60) {
        const after = Number(res.headers.get('retry-after'));
        await delay(Number.isFinite(after) && after > 0 ? after * 1000 : 1000);
        continue;
      }
      if (res.status === 401)
        throw new UnauthorizedError(
          `${url} answered 401: ${text.slice(0, 300)}. A server that takes only agents wants the cluster's token: --token-file FILE`,
        );
      throw new SleuthError('import_rejected', `${url} answered ${res.status}: ${text.slice(0, 500)}`);
    }
  }
}

/** The cluster name an import uses: the flag, else the dump folder's (or file's) name. */
export function importClusterName(path: string, flag: string | undefined): string {
  if (flag !== undefined) return flag;
  return basename(resolve(path)).replace(/\.(json|txt|dump)$/i, '') || 'imported';
}

/**
 * `sleuth import PATH`: a `kubectl cluster-info dump` (folder or stream) or `kubectl get -o json`
 * List files into Sleuth, either through a running server (`server`) or straight into the store of
 * `store.dataDir` through the same pipeline the receivers use.
 */
export async function runImport(
  config: FrozenConfig,
  logger: Logger,
  path: string,
  opts: { cluster: string; server?: string | undefined },
): Promise<ImportSummary> {
  try {
    if ((await stat(path)).isDirectory()) await readdir(path);
    else await access(path, constants.R_OK);
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (opts.server !== undefined) {
    // A server that takes only agents' requests wants the cluster's token, as an agent sends it.
    const { agentToken } = await import('./agent-command');
    const { token, tokenFile } = config.agent;
    const bearer = token !== undefined || tokenFile !== undefined ? agentToken(config) : undefined;
    return importDump(path, { cluster: opts.cluster, sender: new HttpSender(opts.server, bearer) });
  }
  const { openStoreAndQueue } = await import('./serve');
  const { store, queue } = await openStoreAndQueue(config, logger);
  try {
    const sender = new InProcessSender({
      config,
      queue,
      metrics: new ServerMetrics(),
      clusters: new ClusterRegistry(),
      logger,
    });
    return await importDump(path, { cluster: opts.cluster, sender });
  } finally {
    await queue.stop();
    await store.stop();
  }
}

/**
 * The summary as a person reads it. `retentionMaxAgeHours` is the store's: data older than that is
 * deleted by the next retention pass, which a person importing last month's dump must hear about.
 */
export function formatSummary(s: ImportSummary, retentionMaxAgeHours: number, nowMs = Date.now()): string {
  const kinds = Object.entries(s.objects)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const lines = [
    `Imported into cluster "${s.cluster}" from ${s.files} files:`,
    `  objects: ${kinds || 'none'}`,
    `  events: ${s.events}`,
    `  log lines: ${s.logLines}${s.logLinesTimed > 0 ? ` (${s.logLinesTimed} without a timestamp: times spread over the container's run)` : ''}`,
  ];
  if (s.oldestMs !== undefined && s.oldestMs < nowMs - retentionMaxAgeHours * 3_600_000) {
    lines.push(
      `  warning: events and log lines go back to ${new Date(s.oldestMs).toISOString()}, older than ` +
        `store.retentionMaxAgeHours (${retentionMaxAgeHours} h): retention deletes those older than that. ` +
        `To keep them, run the server with SLEUTH_STORE_RETENTION_MAX_AGE_HOURS set higher.`,
    );
  }
  if (s.skippedTotal > 0) {
    lines.push(`  skipped: ${s.skippedTotal}`);
    for (const k of s.skipped.slice(0, 20)) {
      const where = `${k.file}${k.line === undefined ? '' : `:${k.line}`}${k.item === undefined ? '' : ` item ${k.item}`}`;
      lines.push(`    ${where}: ${k.reason}`);
    }
    if (s.skippedTotal > 20) lines.push(`    ... and ${s.skippedTotal - 20} more`);
  }
  return lines.join('\n');
}
