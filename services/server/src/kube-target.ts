import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, type FrozenConfig } from '@sleuth/core';
import { parseLabelSelector, type PodLogOptions, type UsageOptions } from '@sleuth/kubernetes';

/** The cluster the server watches itself, and how it found it. */
export interface KubeTarget {
  kubeConfig: KubeConfig;
  /** The cluster's name in Sleuth. */
  cluster: string;
  /** Where the credentials came from, for the startup log. */
  source: string;
  /** Container log collection, from `kubernetes.logs.*`; false when off. */
  logs: Partial<PodLogOptions> | false;
  /** Resource usage polling, from `kubernetes.usage.*`; false when off. */
  usage: Partial<UsageOptions> | false;
}

/** `kubernetes.logs.*` as the collector's options; a ConfigError naming the key for a bad selector. */
export function podLogOptions(config: FrozenConfig): Partial<PodLogOptions> | false {
  const l = config.kubernetes.logs;
  if (!l.enabled) return false;
  let selector;
  try {
    selector = l.labelSelector.trim() === '' ? undefined : parseLabelSelector(l.labelSelector);
  } catch (err) {
    throw new ConfigError(`kubernetes.logs.labelSelector: ${(err as Error).message}`, {
      key: 'kubernetes.logs.labelSelector',
    });
  }
  return {
    namespaces: [...l.namespaces],
    selector,
    maxStreams: l.maxStreams,
    initialSinceSeconds: l.initialSinceSeconds,
    previousTailLines: l.previousTailLines,
  };
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Which cluster `sleuth serve` watches, from `kubernetes.*`: the configured kubeconfig, else
 * KUBECONFIG, else ~/.kube/config, else the pod's service account when running in a cluster.
 * `undefined` when there is none and the mode is auto (or off); a ConfigError naming the key when
 * the mode is on without one, or the context does not exist.
 */
export function resolveKubeTarget(
  config: FrozenConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
  home = homedir(),
): KubeTarget | undefined {
  const k = config.kubernetes;
  if (k.mode === 'off') return undefined;
  const logs = podLogOptions(config);
  const kc = new KubeConfig();
  let source: string;
  const defaultFile = join(home, '.kube', 'config');
  try {
    if (k.kubeconfig !== undefined) {
      if (!existsSync(k.kubeconfig)) {
        throw new ConfigError(`kubernetes.kubeconfig: no file at ${k.kubeconfig}`, {
          key: 'kubernetes.kubeconfig',
        });
      }
      kc.loadFromFile(k.kubeconfig);
      source = k.kubeconfig;
    } else if (env['KUBECONFIG']) {
      // A list of files, merged as kubectl does: the first file's current context wins.
      const files = env['KUBECONFIG'].split(':').filter((f) => f !== '' && existsSync(f));
      const [first, ...rest] = files;
      if (first === undefined) {
        throw new ConfigError(`kubernetes: none of the KUBECONFIG files exists (${env['KUBECONFIG']})`, {
          key: 'kubernetes.kubeconfig',
        });
      }
      kc.loadFromFile(first);
      for (const file of rest) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
      source = `KUBECONFIG=${env['KUBECONFIG']}`;
    } else if (existsSync(defaultFile)) {
      kc.loadFromFile(defaultFile);
      source = defaultFile;
    } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kc.loadFromCluster();
      source = 'in-cluster service account';
    } else {
      if (k.mode === 'on') {
        throw new ConfigError(
          'kubernetes.mode is on but there is no kubeconfig: set kubernetes.kubeconfig or KUBECONFIG, or run in a pod',
          { key: 'kubernetes.mode' },
        );
      }
      return undefined;
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`kubernetes: cannot load the kubeconfig: ${(err as Error).message}`, {
      key: 'kubernetes.kubeconfig',
    });
  }
  if (k.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === k.context)) {
      throw new ConfigError(`kubernetes.context: the kubeconfig has no context named ${k.context}`, {
        key: 'kubernetes.context',
      });
    }
    kc.setCurrentContext(k.context);
  }
  const current = kc.getCurrentCluster();
  if (!current) {
    if (k.mode === 'on' || k.kubeconfig !== undefined) {
      throw new ConfigError(`kubernetes: the kubeconfig (${source}) has no current context`, {
        key: 'kubernetes.context',
      });
    }
    return undefined;
  }
  const inCluster = source === 'in-cluster service account';
  const cluster = k.cluster ?? (inCluster ? config.ingest.defaultCluster : current.name);
  const u = config.kubernetes.usage;
  const usage = u.enabled ? { intervalMs: u.intervalSeconds * 1000 } : false;
  return { kubeConfig: kc, cluster, source, logs, usage };
}
