import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors';
import { ConfigSchema, isLoopbackHost, type Config } from './config-schema';

export { ConfigSchema, isLoopbackHost, type Config };

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
export type FrozenConfig = DeepReadonly<Config>;

export interface LoadConfigOptions {
  /** Path of a YAML or JSON config file; none means defaults plus environment. */
  file?: string | undefined;
  /** The environment to read; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over file and environment (command-line flags). */
  overrides?: Record<string, unknown>;
}

const ENV_PREFIX = 'SLEUTH_';

/** `store.retentionMaxAgeHours` → `SLEUTH_STORE_RETENTION_MAX_AGE_HOURS`. */
export function envNameFor(path: readonly string[]): string {
  return ENV_PREFIX + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

interface Leaf {
  path: string[];
  schema: z.ZodType;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional)
    s = s.unwrap() as z.ZodType;
  return s;
}

/** Every settable leaf of the schema, with its path. */
export function configLeaves(schema: z.ZodType = ConfigSchema, path: string[] = []): Leaf[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([k, v]) =>
      configLeaves(v, [...path, k]),
    );
  }
  return [{ path, schema }];
}

function coerceEnv(raw: string, schema: z.ZodType): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodNumber) return raw.trim() === '' ? raw : Number(raw);
  // A list from the environment is comma-separated: SLEUTH_KUBERNETES_LOGS_NAMESPACES=shop,payments.
  if (inner instanceof z.ZodArray) {
    return raw
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
  if (inner instanceof z.ZodBoolean) {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function readFileConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file} cannot be read: ${(err as Error).message}`, { file });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML/JSON: ${(err as Error).message}`, { file });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping at the top level`, { file });
  }
  return parsed as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value) as unknown[]) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Loads the configuration once: defaults, then the file, then `SLEUTH_*` environment variables,
 * then overrides. Unknown keys and unknown `SLEUTH_*` variables are errors (they are usually
 * typos). Throws a ConfigError naming every invalid key and where its value came from.
 */
export function loadConfig(opts: LoadConfigOptions = {}): FrozenConfig {
  const env = opts.env ?? process.env;
  const raw: Record<string, unknown> = opts.file ? readFileConfig(opts.file) : {};
  const origin = new Map<string, string>();
  const leaves = configLeaves();
  const known = new Map(leaves.map((l) => [envNameFor(l.path), l]));

  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const leaf = known.get(name);
    if (!leaf) {
      throw new ConfigError(`unknown environment variable ${name}: no setting has that name`, { env: name });
    }
    setPath(raw, leaf.path, coerceEnv(value, leaf.schema));
    origin.set(leaf.path.join('.'), `environment variable ${name}`);
  }
  const otel = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (otel && !origin.has('telemetry.otlpEndpoint')) {
    setPath(raw, ['telemetry', 'otlpEndpoint'], otel);
    origin.set('telemetry.otlpEndpoint', 'environment variable OTEL_EXPORTER_OTLP_ENDPOINT');
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(raw, key.split('.'), value);
    origin.set(key, 'command line');
  }

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      const from = origin.get(key) ?? (opts.file ? `config file ${opts.file}` : 'defaults');
      const extra =
        issue.code === 'unrecognized_keys'
          ? `: unknown key(s) ${issue.keys.join(', ')}`
          : `: ${issue.message}`;
      return `${key}${extra} (from ${from})`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return deepFreeze(result.data);
}
