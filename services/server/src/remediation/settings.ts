import { resolve } from 'node:path';
import { ConfigError, type FrozenConfig } from '@sleuth/core';
import { FIXERS, redactUrl, type ForgeConfigInput, type GitRepoConfigInput } from '@sleuth/remediate';
import { RemediationPolicy } from './policy';

/** Where fixes go and how, resolved from `remediation` (and the demo repository, when it runs). */
export interface RemediationSettings {
  provider: 'local' | 'github' | 'gitlab';
  /** The repository; `paths` may hold `{cluster}`, replaced by the fixed object's cluster. */
  repo: GitRepoConfigInput & { paths: string[] };
  /** The repository as shown to people: its URL without credentials. */
  repoLabel: string;
  workDir: string;
  forge?: ForgeConfigInput;
  policy: RemediationPolicy;
  /** How long an incident's diagnosis must hold still before an auto-open fix is opened. */
  autoOpenDelayMs: number;
  /** True for the simulated fleet's own repository. */
  demo: boolean;
}

/** Why fixes cannot be opened: shown by the API and the CLI. */
export interface RemediationUnavailable {
  unavailable: string;
}

/**
 * `remediation` as the fix service uses it. `demoRepo` is the simulated fleet's repository, used
 * when no repository is configured. Unknown fixer ids in the policy are a ConfigError.
 */
export function remediationSettings(
  config: FrozenConfig,
  demoRepo?: string,
): RemediationSettings | RemediationUnavailable {
  const r = config.remediation;
  const known: string[] = Object.keys(FIXERS);
  for (const key of ['fixers', 'autoOpen'] as const) {
    const unknown = r.policy[key].filter((id) => !known.includes(id));
    if (unknown.length > 0)
      throw new ConfigError(
        `remediation.policy.${key} names unknown fixers: ${unknown.join(', ')} (known: ${known.join(', ')})`,
        { key: `remediation.policy.${key}` },
      );
  }
  const url = r.repo.url ?? demoRepo;
  if (url === undefined)
    return {
      unavailable:
        'no GitOps repository is configured: set remediation.repo.url (docs/remediation.md) to have Sleuth propose fixes as branches and pull requests',
    };
  const demo = r.repo.url === undefined;
  let forge: ForgeConfigInput | undefined;
  if (r.provider === 'github' && r.github.owner && r.github.repo && r.github.token)
    forge = {
      provider: 'github',
      owner: r.github.owner,
      repo: r.github.repo,
      token: r.github.token,
      baseUrl: r.github.baseUrl,
      labels: [...r.labels],
    };
  if (r.provider === 'gitlab' && r.gitlab.project && r.gitlab.token)
    forge = {
      provider: 'gitlab',
      project: r.gitlab.project,
      token: r.gitlab.token,
      baseUrl: r.gitlab.baseUrl,
      labels: [...r.labels],
    };
  return {
    provider: forge ? r.provider : 'local',
    repo: {
      url,
      ...(r.repo.defaultBranch === undefined ? {} : { defaultBranch: r.repo.defaultBranch }),
      // The demo repository has a folder per simulated cluster.
      paths: demo ? ['clusters/{cluster}'] : [...r.repo.paths],
      identity: { name: r.repo.authorName, email: r.repo.authorEmail },
    },
    repoLabel: redactUrl(url),
    workDir: resolve(r.workDir ?? resolve(config.store.dataDir, 'gitops')),
    ...(forge ? { forge } : {}),
    policy: new RemediationPolicy(r.policy),
    autoOpenDelayMs: r.policy.autoOpenAfterSeconds * 1000,
    demo,
  };
}
