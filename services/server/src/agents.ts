import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, UnauthorizedError, type Logger, type SignalBatch } from '@sleuth/core';

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?$/i;

const TokensFile = z
  .object({
    clusters: z.record(
      z.string().regex(CLUSTER_NAME, 'a cluster name (letters, digits, -, ., _)'),
      z.string().min(16, 'a token of at least 16 characters').max(4096),
    ),
  })
  .strict();

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * The agents' tokens, one per cluster, from `ingest.agentTokensFile`:
 *
 * ```yaml
 * clusters:
 *   prod-eu: 3f9c...   # at least 16 characters; `openssl rand -hex 32`
 *   prod-us: 81ad...
 * ```
 *
 * The file is read at startup (a bad file stops startup naming the key) and again when it changes,
 * so a token can be rotated without a restart (a bad edit keeps the previous tokens and is logged).
 * Tokens are compared by their SHA-256 in constant time and never logged.
 */
export class AgentTokens {
  private tokens: { cluster: string; digest: Buffer }[] = [];
  private mtimeMs = 0;
  private checkedMs = 0;

  private constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  static load(file: string, log: Logger): AgentTokens {
    const t = new AgentTokens(file, log);
    t.tokens = t.read();
    t.mtimeMs = statSync(file).mtimeMs;
    t.checkedMs = Date.now();
    return t;
  }

  /** The cluster whose token this `Authorization` header carries; UnauthorizedError otherwise. */
  authenticate(authorization: string | undefined): string {
    this.reloadIfChanged();
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new UnauthorizedError('an agent token is required: Authorization: Bearer <token>');
    const d = digest(m[1] ?? '');
    // Every entry is compared, so the time taken does not tell which cluster came close.
    let cluster: string | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) cluster ??= t.cluster;
    if (cluster === undefined) throw new UnauthorizedError('the agent token is not valid for any cluster');
    return cluster;
  }

  private read(): { cluster: string; digest: Buffer }[] {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`ingest.agentTokensFile: cannot read ${this.file}: ${(err as Error).message}`, {
        key: 'ingest.agentTokensFile',
      });
    }
    const r = TokensFile.safeParse(parsed);
    if (!r.success) {
      const problems = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      throw new ConfigError(`ingest.agentTokensFile: ${this.file}: ${problems}`, {
        key: 'ingest.agentTokensFile',
      });
    }
    const entries = Object.entries(r.data.clusters).map(([cluster, token]) => ({
      cluster,
      digest: digest(token),
    }));
    const seen = new Set<string>();
    for (const e of entries) {
      const hex = e.digest.toString('hex');
      if (seen.has(hex)) {
        throw new ConfigError(`ingest.agentTokensFile: ${this.file}: two clusters share a token`, {
          key: 'ingest.agentTokensFile',
        });
      }
      seen.add(hex);
    }
    return entries;
  }

  private reloadIfChanged(): void {
    const now = Date.now();
    if (now - this.checkedMs < 2_000) return;
    this.checkedMs = now;
    try {
      const mtimeMs = statSync(this.file).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.tokens = this.read();
      this.mtimeMs = mtimeMs;
      this.log.info({ file: this.file, clusters: this.tokens.length }, 'agent tokens reloaded');
    } catch (err) {
      this.log.error(
        { err: (err as Error).message },
        'agent tokens file changed but cannot be used: keeping the previous tokens',
      );
    }
  }
}

/** `X-Sleuth-Batch-Id: <agent id>:<sequence>`, as an agent numbers its spooled requests. */
export function parseBatchId(
  header: string | string[] | undefined,
): { agent: string; seq: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^([A-Za-z0-9-]{1,64}):(\d{1,15})$/.exec(Array.isArray(header) ? (header[0] ?? '') : header);
  if (!m) return undefined;
  return { agent: m[1] ?? '', seq: Number(m[2]) };
}

/**
 * Drops replayed agent requests. An agent ships its spool in order, one request at a time, and sends
 * a request again when it did not see the answer (a timeout, the server restarting); every request
 * carries its sequence number, so a number at or below the last one committed is a replay that was
 * already stored. Bounded: the last 256 agents of each cluster are remembered.
 *
 * Held in memory: a server that crashed after committing a request but before answering it will
 * store that one request twice when the agent sends it again.
 */
export class ReplayGuard {
  private readonly last = new Map<string, Map<string, number>>();

  isReplay(cluster: string, agent: string, seq: number): boolean {
    const seen = this.last.get(cluster)?.get(agent);
    return seen !== undefined && seq <= seen;
  }

  committed(cluster: string, agent: string, seq: number): void {
    let agents = this.last.get(cluster);
    if (!agents) {
      agents = new Map();
      this.last.set(cluster, agents);
    }
    agents.delete(agent);
    agents.set(agent, Math.max(seq, agents.get(agent) ?? -1));
    if (agents.size > 256) agents.delete(agents.keys().next().value as string);
  }
}

/**
 * Keeps only the records of `cluster` (an agent speaks for its own cluster only); the others are
 * counted as rejected with a reason, like any invalid record.
 */
export function restrictToCluster(
  batch: SignalBatch,
  cluster: string,
): { rejected: number; reason?: string } {
  const others = new Set<string>();
  const keep = <T>(items: T[], clusterOf: (t: T) => string): T[] =>
    items.filter((t) => {
      const c = clusterOf(t);
      if (c === cluster) return true;
      others.add(c);
      return false;
    });
  const before =
    batch.logs.length +
    batch.metrics.length +
    batch.spans.length +
    batch.events.length +
    batch.objects.length;
  batch.logs = keep(batch.logs, (r) => r.source.cluster);
  batch.metrics = keep(batch.metrics, (r) => r.source.cluster);
  batch.spans = keep(batch.spans, (r) => r.source.cluster);
  batch.events = keep(batch.events, (r) => r.cluster);
  batch.objects = keep(batch.objects, (r) => r.ref.cluster);
  const after =
    batch.logs.length +
    batch.metrics.length +
    batch.spans.length +
    batch.events.length +
    batch.objects.length;
  if (after === before) return { rejected: 0 };
  return {
    rejected: before - after,
    reason: `records of cluster ${[...others].sort().join(', ')} rejected: this agent's token is for cluster ${cluster}`,
  };
}
