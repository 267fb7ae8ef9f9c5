/**
 * `npm run bench -- NAME [DATA_DIR] [--flags]`: runs bench/NAME.ts. Each benchmark prints its
 * figures, records them in docs/benchmarks.md, and prints one JSON object as its last line.
 */
export {};

const BENCHES = [
  'alerts',
  'detect',
  'ingest',
  'load',
  'loghub',
  'nab',
  'nezha',
  'query',
  'scenarios',
  'ui',
  'watch',
] as const;
type BenchName = (typeof BENCHES)[number];

function isBench(name: string | undefined): name is BenchName {
  return BENCHES.some((b) => b === name);
}

const [name, ...args] = process.argv.slice(2);
if (!isBench(name)) {
  process.stderr.write(`usage: npm run bench -- <${BENCHES.join('|')}> [args]\n`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run: (args: string[]) => Promise<Record<string, unknown>> };
const figures = await mod.run(args);
process.stdout.write(`${JSON.stringify({ bench: name, ...figures })}\n`);
