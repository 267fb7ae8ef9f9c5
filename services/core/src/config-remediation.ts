import { z } from 'zod';

const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
const token = z.string().min(1).max(4096);
const names = (what: string) => z.array(z.string().min(1).max(253)).max(100).default([]).describe(what);

/** Which fixes Sleuth may propose, and which it opens without a person asking. */
const RemediationPolicySchema = z
  .object({
    fixers: names(
      'Fixers Sleuth may use (memory-limit, cpu-limit, probe, service, hpa-max-replicas); empty: all of them.',
    ),
    autoOpen: names(
      'Fixers whose pull requests Sleuth opens, and updates, as soon as an incident is diagnosed; every other fix is only proposed and a person opens it (POST /api/v1/incidents/{id}/fix/pull-request).',
    ),
    kinds: names('Kubernetes kinds a fix may change (e.g. Deployment,HorizontalPodAutoscaler); empty: any.'),
    namespaces: names('Namespaces whose objects a fix may change; empty: any.'),
    autoOpenAfterSeconds: z
      .number()
      .min(0)
      .max(86_400)
      .default(60)
      .describe(
        'How long an incident must be open, its diagnosis unchanged, before an auto-open fix is opened; a new diagnosis restarts the wait.',
      ),
    fields: names(
      'Fields a fix may change, as paths where `*` stands for one segment or list selector, e.g. spec.template.spec.containers[*].resources.limits.memory; empty: any field a fixer edits.',
    ),
  })
  .strict()
  .prefault({});

/**
 * `remediation`: the GitOps repository fixes go to, the forge that opens pull requests on it, and
 * the policy for opening them. Sleuth never changes a cluster and never pushes to the default
 * branch (docs/remediation.md).
 */
export const RemediationConfigSchema = z
  .object({
    repo: z
      .object({
        url: z
          .string()
          .min(1)
          .max(2000)
          .refine((u) => !u.startsWith('-'), 'a repository URL cannot start with "-"')
          .optional()
          .describe(
            'The GitOps repository, as git clone takes it (a folder, file://, https:// or ssh URL). Unset: fixes are proposed only against the demo repository of the simulated fleet, when it runs.',
          ),
        defaultBranch: z
          .string()
          .regex(BRANCH)
          .optional()
          .describe("The branch clusters are synced from; default the remote's HEAD."),
        paths: names(
          'Folders of the repository holding the manifests (e.g. apps/prod); `{cluster}` is replaced by the cluster of the object being fixed (clusters/{cluster}); empty: all of it.',
        ),
        authorName: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[^<>\n]+$/)
          .default('Sleuth')
          .describe('Who fix commits are by.'),
        authorEmail: z
          .string()
          .regex(/^[^\s<>@]+@[^\s<>@]+$/)
          .default('sleuth@sleuth.invalid')
          .describe(
            "Fix commits' author e-mail; commits by anyone else stop Sleuth from pushing to a branch.",
          ),
      })
      .strict()
      .prefault({}),
    workDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Sleuth's working clone of the repository; default store.dataDir/gitops. Reset on every run.",
      ),
    provider: z
      .enum(['local', 'github', 'gitlab'])
      .default('local')
      .describe(
        'local: push the fix branch only; github or gitlab: also open (and update) a pull or merge request.',
      ),
    github: z
      .object({
        owner: z.string().min(1).max(100).optional().describe('The repository owner (user or organisation).'),
        repo: z.string().min(1).max(100).optional().describe('The repository name.'),
        token: token
          .optional()
          .describe('A token that may create pull requests and labels (SLEUTH_REMEDIATION_GITHUB_TOKEN).'),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .default('https://api.github.com')
          .describe('The REST API root; https://HOST/api/v3 for GitHub Enterprise.'),
      })
      .strict()
      .prefault({}),
    gitlab: z
      .object({
        project: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .describe('The project, as its path (group/sub/repo) or numeric id.'),
        token: token
          .optional()
          .describe('A token with the api scope on the project (SLEUTH_REMEDIATION_GITLAB_TOKEN).'),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .default('https://gitlab.com/api/v4')
          .describe('The REST API root, ending in /api/v4.'),
      })
      .strict()
      .prefault({}),
    labels: z
      .array(z.string().min(1).max(50))
      .max(20)
      .default(['sleuth', 'automated-fix'])
      .describe('Labels put on new pull requests (a person may change them afterwards).'),
    demoRepo: z
      .boolean()
      .default(true)
      .describe(
        'With the simulated fleet running and no repo.url: create a local GitOps repository of the simulated fleet under store.dataDir and propose fixes against it.',
      ),
    policy: RemediationPolicySchema,
  })
  .strict()
  .prefault({})
  .superRefine((r, ctx) => {
    const need = (section: 'github' | 'gitlab', keys: readonly string[]) => {
      const values = r[section] as Record<string, unknown>;
      for (const k of keys)
        if (values[k] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [section, k],
            message: `remediation.provider is ${section}: set remediation.${section}.${k}`,
          });
    };
    if (r.provider === 'github') need('github', ['owner', 'repo', 'token']);
    if (r.provider === 'gitlab') need('gitlab', ['project', 'token']);
    if (r.provider !== 'local' && r.repo.url === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['repo', 'url'],
        message: `remediation.provider is ${r.provider}: set remediation.repo.url to the repository to clone`,
      });
  });
export type RemediationConfig = z.infer<typeof RemediationConfigSchema>;
