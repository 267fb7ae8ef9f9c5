import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@sleuth/core';
import { podLogOptions, resolveKubeTarget } from './kube-target';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sleuth-kube-target-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kubeconfig(dir: string, file: string, clusters: string[], current: string): string {
  const path = join(dir, file);
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...clusters.flatMap((c) => [`- name: ${c}`, '  cluster:', `    server: https://${c}.example:6443`]),
    'users:',
    '- name: u',
    '  user:',
    '    token: t0k3n',
    'contexts:',
    ...clusters.flatMap((c) => [`- name: ctx-${c}`, '  context:', `    cluster: ${c}`, '    user: u']),
    `current-context: ctx-${current}`,
  ].join('\n');
  writeFileSync(path, yaml);
  return path;
}

const config = (env: Record<string, string>) => loadConfig({ env });

describe('resolveKubeTarget', () => {
  it('watches nothing in auto mode when there is no kubeconfig anywhere', () => {
    expect(resolveKubeTarget(config({}), {}, tempDir())).toBeUndefined();
  });

  it('uses ~/.kube/config and names the cluster after the current context’s cluster', () => {
    const home = tempDir();
    mkdirSync(join(home, '.kube'));
    kubeconfig(join(home, '.kube'), 'config', ['prod-eu', 'prod-us'], 'prod-us');
    const target = resolveKubeTarget(config({}), {}, home);
    expect(target?.cluster).toBe('prod-us');
    expect(target?.kubeConfig.getCurrentCluster()?.server).toBe('https://prod-us.example:6443');
  });

  it('prefers KUBECONFIG, and a configured context and cluster name over the defaults', () => {
    const dir = tempDir();
    const file = kubeconfig(dir, 'kc.yaml', ['a', 'b'], 'a');
    const target = resolveKubeTarget(
      config({ SLEUTH_KUBERNETES_CONTEXT: 'ctx-b', SLEUTH_KUBERNETES_CLUSTER: 'payments-prod' }),
      { KUBECONFIG: `${join(dir, 'missing.yaml')}:${file}` },
      tempDir(),
    );
    expect(target?.cluster).toBe('payments-prod');
    expect(target?.kubeConfig.getCurrentCluster()?.name).toBe('b');
  });

  it('stops startup naming the key when the mode is on without a kubeconfig, or the context is unknown', () => {
    expect(() => resolveKubeTarget(config({ SLEUTH_KUBERNETES_MODE: 'on' }), {}, tempDir())).toThrow(
      /kubernetes.mode is on but there is no kubeconfig/,
    );
    const file = kubeconfig(tempDir(), 'kc.yaml', ['a'], 'a');
    const err = (() => {
      try {
        resolveKubeTarget(
          config({ SLEUTH_KUBERNETES_KUBECONFIG: file, SLEUTH_KUBERNETES_CONTEXT: 'nope' }),
          {},
          tempDir(),
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/kubernetes.context: the kubeconfig has no context named nope/);
    expect(() =>
      resolveKubeTarget(config({ SLEUTH_KUBERNETES_KUBECONFIG: '/nonexistent/kc' }), {}, tempDir()),
    ).toThrow(/kubernetes.kubeconfig: no file at \/nonexistent\/kc/);
  });

  it('watches nothing when the mode is off, whatever kubeconfig exists', () => {
    const file = kubeconfig(tempDir(), 'kc.yaml', ['a'], 'a');
    expect(
      resolveKubeTarget(config({ SLEUTH_KUBERNETES_MODE: 'off' }), { KUBECONFIG: file }, tempDir()),
    ).toBeUndefined();
  });
});

describe('podLogOptions', () => {
  it('reads kubernetes.logs.* from the environment: comma-separated namespaces, a label selector', () => {
    const opts = podLogOptions(
      config({
        SLEUTH_KUBERNETES_LOGS_NAMESPACES: 'shop, payments',
        SLEUTH_KUBERNETES_LOGS_LABEL_SELECTOR: 'app in (web,api),!canary',
        SLEUTH_KUBERNETES_LOGS_MAX_STREAMS: '50',
      }),
    );
    expect(opts).not.toBe(false);
    if (opts === false) return;
    expect(opts.namespaces).toEqual(['shop', 'payments']);
    expect(opts.maxStreams).toBe(50);
    expect(opts.selector?.matches({ app: 'web' })).toBe(true);
    expect(opts.selector?.matches({ app: 'web', canary: 'yes' })).toBe(false);
  });

  it('is off when disabled, and stops startup naming the key for a bad selector', () => {
    expect(podLogOptions(config({ SLEUTH_KUBERNETES_LOGS_ENABLED: 'false' }))).toBe(false);
    expect(() => podLogOptions(config({ SLEUTH_KUBERNETES_LOGS_LABEL_SELECTOR: 'app in ()' }))).toThrow(
      /kubernetes.logs.labelSelector: label selector: "app in \(\)" lists no values/,
    );
  });
});
