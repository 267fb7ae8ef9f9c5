import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { ConfigError, type FrozenConfig, type Logger } from '@sleuth/core';
import { Agent } from '@sleuth/kubernetes';
import { resolveKubeTarget } from './kube-target';

const VERSION = '0.1.0';

/** The agent's token: `agent.tokenFile` (trimmed), else `agent.token`; a ConfigError naming the key. */
export function agentToken(config: FrozenConfig): string {
  const { token, tokenFile } = config.agent;
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`agent.tokenFile: cannot read ${tokenFile}: ${(err as Error).message}`, {
        key: 'agent.tokenFile',
      });
    }
    if (text.length < 16) {
      throw new ConfigError(`agent.tokenFile: ${tokenFile} holds no token of at least 16 characters`, {
        key: 'agent.tokenFile',
      });
    }
    return text;
  }
  if (token !== undefined) return token;
  throw new ConfigError('a token is required: --token-file FILE or SLEUTH_AGENT_TOKEN', {
    key: 'agent.token',
  });
}

export interface RunningAgent {
  agent: Agent;
  healthUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `sleuth agent` from the configuration: the cluster from the kubeconfig (in a pod, its
 * service account), the spool, the shipping, and the optional health endpoint.
 */
export async function startAgent(config: FrozenConfig, logger: Logger): Promise<RunningAgent> {
  const { server, cluster } = config.agent;
  if (server === undefined) {
    throw new ConfigError('--server URL is required (the Sleuth server to push to)', { key: 'agent.server' });
  }
  if (cluster === undefined) {
    throw new ConfigError("--cluster NAME is required (this cluster's name in Sleuth)", {
      key: 'agent.cluster',
    });
  }
  const token = agentToken(config);
  const target = resolveKubeTarget(config);
  if (!target) {
    throw new ConfigError('no cluster to watch: run in a pod or give --kubeconfig', {
      key: 'kubernetes.kubeconfig',
    });
  }
  const agent = await Agent.create({
    cluster,
    kubeConfig: target.kubeConfig,
    server,
    token,
    spoolDir: config.agent.spoolDir,
    spoolMaxBytes: config.agent.spoolMaxMegabytes * 1024 * 1024,
    logger,
    version: VERSION,
    logs: target.logs,
    usage: target.usage,
  });
  await agent.start();
  let health: Server | undefined;
  let healthUrl: string | undefined;
  if (config.agent.healthPort > 0) {
    const h = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/healthz' && req.url !== '/readyz')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(agent.status()));
    });
    await new Promise<void>((resolve) => h.listen(config.agent.healthPort, '0.0.0.0', resolve));
    health = h;
    healthUrl = `http://127.0.0.1:${config.agent.healthPort}`;
  }
  return {
    agent,
    healthUrl,
    stop: async () => {
      if (health) await new Promise<void>((resolve) => health.close(() => resolve()));
      await agent.stop();
    },
  };
}
