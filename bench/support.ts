import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Parses `--key value` and `--flag` arguments; positional ones are returned in `_`. */
export function flags(args: string[]): { _: string[]; [key: string]: string | string[] | undefined } {
  const out: { _: string[]; [key: string]: string | string[] | undefined } = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out[a.slice(2)] = next;
        i++;
      } else out[a.slice(2)] = 'true';
    } else out._.push(a);
  }
  return out;
}

/**
 * Replaces this benchmark's section of docs/benchmarks.md (between its markers) with `body`,
 * stamped with the command, date and machine.
 */
export function recordInDocs(bench: string, command: string, body: string): void {
  const begin = `<!-- bench:${bench}:begin -->`;
  const end = `<!-- bench:${bench}:end -->`;
  const section = `${begin}\n## ${bench}\n\nCommand: \`${command}\`  \nDate: ${new Date().toISOString()}  \nMachine: ${machine()}\n\n${body.trim()}\n${end}`;
  let doc = existsSync(DOC)
    ? readFileSync(DOC, 'utf8')
    : '# Benchmarks\n\nFigures measured by `npm run bench`; each section is rewritten by its benchmark.\n';
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  doc =
    a >= 0 && b > a
      ? doc.slice(0, a) + section + doc.slice(b + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, doc.endsWith('\n') ? doc : `${doc}\n`);
}
