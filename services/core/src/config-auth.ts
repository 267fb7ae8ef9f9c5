import { z } from 'zod';

const ROLES = ['viewer', 'operator', 'admin'] as const;

/** A place a principal may see: a cluster, or one namespace of it. */
const GrantSchema = z
  .object({
    cluster: z.string().min(1).max(253),
    namespace: z.string().min(1).max(253).optional(),
  })
  .strict();

/** How members of an identity provider group are let in. */
const RoleMappingSchema = z
  .object({
    group: z.string().min(1).max(500).describe('The group (a value of the groups claim).'),
    role: z.enum(ROLES),
    scope: z
      .array(GrantSchema)
      .max(500)
      .optional()
      .describe('Clusters and namespaces members see; unset: everything.'),
  })
  .strict();

/** `auth.oidc`: single sign-on with an OpenID Connect provider (authorization code flow with PKCE). */
const OidcConfigSchema = z
  .object({
    issuer: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'The provider’s issuer URL (its /.well-known/openid-configuration is read at startup). Unset: no single sign-on.',
      ),
    clientId: z.string().min(1).max(500).optional().describe('Client id registered with the provider.'),
    clientSecret: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Client secret (SLEUTH_AUTH_OIDC_CLIENT_SECRET); prefer clientSecretFile.'),
    clientSecretFile: z.string().min(1).optional().describe('File holding the client secret.'),
    displayName: z.string().min(1).max(100).default('single sign-on').describe('Name of the sign-in button.'),
    scopes: z
      .array(z.string().min(1).max(200))
      .max(20)
      .default(['openid', 'email', 'profile'])
      .describe('Scopes asked for; openid is required.'),
    usernameClaim: z
      .string()
      .min(1)
      .max(100)
      .default('email')
      .describe('ID token claim that names the user (email, preferred_username, sub).'),
    groupsClaim: z
      .string()
      .min(1)
      .max(100)
      .default('groups')
      .describe('ID token claim that lists the user’s groups.'),
    roles: z
      .array(RoleMappingSchema)
      .max(500)
      .default([])
      .describe(
        'Group → role and scope. A user in several mapped groups gets the highest role and the union of their scopes; a user in none is refused.',
      ),
  })
  .strict()
  .prefault({});

/**
 * `auth`: who may use Sleuth's API and UI (docs/security.md). On by default; it can be turned off
 * only when the server listens on a loopback address.
 */
export const AuthConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Require sign-in or an API token for the API and UI. false is accepted only when server.host is a loopback address (127.0.0.1, ::1, localhost); everyone on the machine is then admin, and Sleuth warns at startup.',
      ),
    sessionHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12)
      .describe('How long a UI sign-in lasts.'),
    sessionIdleMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(120)
      .describe('A session unused this long ends.'),
    secureCookies: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe(
        'Mark session cookies Secure: auto when server.publicUrl or the request is https (behind a proxy set server.trustProxy).',
      ),
    tokenMaxDays: z
      .number()
      .int()
      .positive()
      .max(3650)
      .default(365)
      .describe('Longest lifetime an API token may be given; every token expires.'),
    requestsPerMinute: z
      .number()
      .int()
      .positive()
      .default(1200)
      .describe('API requests each token, user or client address may make per minute; more answer 429.'),
    signInAttemptsPerMinute: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('Failed sign-ins accepted per client address and per user name per minute.'),
    setupCodeFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where the first-run setup code is written (mode 0600) while no admin exists; default: setup-code in store.dataDir.',
      ),
    oidc: OidcConfigSchema,
  })
  .strict()
  .prefault({});

export type AuthConfig = z.infer<typeof AuthConfigSchema>;
export type OidcRoleMapping = z.infer<typeof RoleMappingSchema>;
