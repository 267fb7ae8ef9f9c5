import { z } from 'zod';
import { ConfigSchema } from './config-schema';
import { configLeaves, envNameFor } from './config';

function typeName(schema: z.ZodType): string {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
    s = s.unwrap() as z.ZodType;
  }
  if (s instanceof z.ZodEnum) return s.options.map((o) => `\`${String(o)}\``).join(' \\| ');
  if (s instanceof z.ZodNumber) return s.format === 'safeint' || s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodArray)
    return s.element instanceof z.ZodObject ? 'list of objects' : 'list of strings';
  if (s instanceof z.ZodURL) return 'URL';
  return 'value';
}

/** Lists of objects have no environment form: they are set in the config file. */
function envOf(leaf: { path: string[]; schema: z.ZodType }): string {
  return typeName(leaf.schema) === 'list of objects' ? '(file only)' : `\`${envNameFor(leaf.path)}\``;
}

function defaultOf(path: readonly string[]): string {
  let node: unknown = ConfigSchema.parse({});
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node === undefined ? '(none)' : `\`${JSON.stringify(node)}\``;
}

/** docs/configuration.md, generated from the schema so it cannot drift from the code. */
export function renderConfigDocs(): string {
  const rows = configLeaves().map((leaf) => {
    const key = leaf.path.join('.');
    return `| \`${key}\` | ${envOf(leaf)} | ${typeName(leaf.schema)} | ${defaultOf(leaf.path)} | ${leaf.schema.description ?? ''} |`;
  });
  return `# Configuration

<!-- Generated from services/core/src/config-schema.ts by \`npm run docs:config\`; do not edit by hand. -->

Sleuth reads its configuration once at startup, in this order (later wins): built-in defaults,
the config file (\`--config FILE\` or \`SLEUTH_CONFIG\`; YAML or JSON, keys as below, nested by the
dots), \`SLEUTH_*\` environment variables, then command-line flags. An invalid value, an unknown key
or an unknown \`SLEUTH_*\` variable stops startup with a message naming it.

Example file:

\`\`\`yaml
server:
  port: 7070
store:
  dataDir: /var/lib/sleuth
  retentionMaxAgeHours: 168
simulator:
  mode: "off"
\`\`\`

| Key | Environment variable | Type | Default | Meaning |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

\`OTEL_EXPORTER_OTLP_ENDPOINT\` is also honoured for \`telemetry.otlpEndpoint\`.
`;
}
