import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SleuthError } from '@sleuth/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** One value a prompt's caller must supply, as declared in the prompt's front matter. */
export interface PromptInput {
  name: string;
  description: string;
}

/**
 * A prompt as loaded: its front matter and its body with every `{{> partial}}` already expanded.
 * `ref` (`id@version`) is what a stored answer records; `fingerprint` (12 hex characters of the
 * sha256 of `template`) changes whenever the expanded text does, partials included, so it is the
 * key to cache on.
 */
export interface PromptTemplate {
  id: string;
  version: number;
  description: string;
  inputs: PromptInput[];
  ref: string;
  fingerprint: string;
  /** The body with partials expanded; only `{{input}}` placeholders remain. */
  template: string;
}

/** A prompt with its inputs substituted, ready to send, with the identity of the template used. */
export interface RenderedPrompt {
  id: string;
  version: number;
  ref: string;
  fingerprint: string;
  text: string;
}

/** A prompt file is invalid (at load) or a render call does not match a prompt's inputs. */
export class PromptError extends SleuthError {
  constructor(message: string, details?: { file?: string; prompt?: string; input?: string }) {
    super('prompt_invalid', message, { statusCode: 500, details });
  }
}

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const INPUT_NAME = /^[a-z][a-z0-9_]*$/;
/** `{{name}}` or `{{> partial-name}}`; surrounding spaces inside the braces are allowed. */
const PLACEHOLDER = /\{\{\s*(?:>\s*([a-z0-9][a-z0-9-]*)|([a-z][a-z0-9_]*))\s*\}\}/g;
/** After partial expansion only input placeholders remain. */
const INPUT_PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

const Id = z.string().regex(KEBAB, 'must be kebab-case (a-z, 0-9, single dashes)');
const Version = z.number().int().positive();
const Description = z.string().trim().min(1);

const PromptFrontMatter = z.strictObject({
  id: Id,
  version: Version,
  description: Description,
  inputs: z
    .array(
      z.strictObject({
        name: z.string().regex(INPUT_NAME, 'must be snake_case starting with a letter (a-z, 0-9, _)'),
        description: Description,
      }),
    )
    .refine((list) => new Set(list.map((i) => i.name)).size === list.length, 'an input is declared twice'),
});

/** Partials declare no inputs: they use the inputs of the prompt that includes them. */
const PartialFrontMatter = z.strictObject({ id: Id, version: Version, description: Description });

interface SourceFile {
  /** Path as given to `load`, joined with the file name; what errors name. */
  file: string;
  id: string;
  body: string;
}

interface LoadedPrompt {
  template: PromptTemplate;
  declared: ReadonlySet<string>;
}

interface Expansion {
  text: string;
  /** Input name → the files (the prompt or a partial) whose text uses it. */
  uses: Map<string, Set<string>>;
}

/**
 * The prompt files of one directory: `<dir>/*.md` are prompts, `<dir>/partials/*.md` partials
 * (`README.md` is skipped). Everything is read and checked once by `load`; the library is
 * immutable afterwards, so one instance can serve every investigation.
 */
export class PromptLibrary {
  readonly #prompts: ReadonlyMap<string, LoadedPrompt>;

  private constructor(prompts: ReadonlyMap<string, LoadedPrompt>) {
    this.#prompts = prompts;
  }

  /**
   * Reads and validates every prompt and partial under `dir` synchronously (call it at startup).
   * Throws PromptError naming the file and the problem: bad or missing front matter, id not equal
   * to the file name, duplicate ids across prompts and partials, an unknown partial, a partial
   * cycle, a placeholder with no declared input, or a declared input the text never uses.
   */
  static load(dir: string): PromptLibrary {
    const prompts = readDir(dir, PromptFrontMatter);
    const partialsDir = join(dir, 'partials');
    const partials = existsSync(partialsDir) ? readDir(partialsDir, PartialFrontMatter) : [];

    const byId = new Map<string, string>();
    for (const { file, id } of [...prompts, ...partials]) {
      const other = byId.get(id);
      if (other !== undefined)
        throw new PromptError(`${file}: id "${id}" is already used by ${other}`, { file });
      byId.set(id, file);
    }

    const expander = new PartialExpander(new Map(partials.map((p) => [p.id, p])));
    // Every partial is expanded even if nothing includes it yet, so a broken one fails now.
    for (const partial of partials) expander.expand(partial, []);

    const loaded = new Map<string, LoadedPrompt>();
    for (const prompt of prompts) {
      const { id, version, description, inputs } = prompt.frontMatter;
      const { text, uses } = expander.expand(prompt, []);
      const declared = new Set(inputs.map((i) => i.name));
      const undeclared = [...uses].find(([name]) => !declared.has(name));
      if (undeclared !== undefined) {
        const [name, files] = undeclared;
        const where = [...files].join(', ');
        const message = `${prompt.file}: placeholder {{${name}}} (in ${where}) has no declared input; add it to inputs`;
        throw new PromptError(message, { file: prompt.file, input: name });
      }
      const unused = [...declared].find((name) => !uses.has(name));
      if (unused !== undefined) {
        const message = `${prompt.file}: input "${unused}" is declared but the text never uses {{${unused}}}; remove it or use it`;
        throw new PromptError(message, { file: prompt.file, input: unused });
      }
      const fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 12);
      const ref = `${id}@${version}`;
      loaded.set(id, {
        template: { id, version, description, inputs, ref, fingerprint, template: text },
        declared,
      });
    }
    return new PromptLibrary(loaded);
  }

  /** A copy of the prompt with this id; throws PromptError when there is none. */
  get(id: string): PromptTemplate {
    const { template } = this.#loaded(id);
    return { ...template, inputs: template.inputs.map((i) => ({ ...i })) };
  }

  /** Ids of all prompts (not partials), sorted. */
  ids(): string[] {
    return [...this.#prompts.keys()].sort();
  }

  /**
   * Substitutes `inputs` into the prompt in one pass: values are inserted verbatim and never
   * scanned again, so a value containing `{{x}}` stays as it is. The caller prepares values
   * (fencing untrusted data). Throws PromptError for a missing or an undeclared input.
   */
  render(id: string, inputs: Record<string, string>): RenderedPrompt {
    const { template: prompt, declared } = this.#loaded(id);
    const extra = Object.keys(inputs).find((name) => !declared.has(name));
    if (extra !== undefined) {
      const message = `prompt ${prompt.ref}: input "${extra}" is not declared by the prompt`;
      throw new PromptError(message, { prompt: id, input: extra });
    }
    const missing = [...declared].find(
      (name) => typeof inputs[name] !== 'string' || !Object.hasOwn(inputs, name),
    );
    if (missing !== undefined) {
      const message = `prompt ${prompt.ref}: input "${missing}" is missing`;
      throw new PromptError(message, { prompt: id, input: missing });
    }
    // A replacer function (not a string) so `$&`, `$1` in values are not interpreted either.
    const text = prompt.template.replace(INPUT_PLACEHOLDER, (_m, name: string) => inputs[name] ?? '');
    return { id: prompt.id, version: prompt.version, ref: prompt.ref, fingerprint: prompt.fingerprint, text };
  }

  #loaded(id: string): LoadedPrompt {
    const prompt = this.#prompts.get(id);
    if (prompt === undefined) {
      throw new PromptError(`unknown prompt "${id}"; known: ${this.ids().join(', ')}`, { prompt: id });
    }
    return prompt;
  }
}

/** The repository's `prompts/` folder, found from this module's location (works from source). */
export function defaultPromptsDir(): string {
  return fileURLToPath(new URL('../../../../prompts', import.meta.url));
}

/** Expands `{{> partial}}` recursively; each partial is expanded once and reused. */
class PartialExpander {
  readonly #partials: ReadonlyMap<string, SourceFile>;
  readonly #expanded = new Map<string, Expansion>();

  constructor(partials: ReadonlyMap<string, SourceFile>) {
    this.#partials = partials;
  }

  /**
   * `stack` holds the ids of the files being expanded around `source`, to find cycles. A cached
   * partial cannot close a cycle with the current stack: its own expansion would have found it.
   */
  expand(source: SourceFile, stack: string[]): Expansion {
    const uses = new Map<string, Set<string>>();
    const addUse = (name: string, file: string): void => {
      const files = uses.get(name) ?? new Set<string>();
      files.add(file);
      uses.set(name, files);
    };
    const path = [...stack, source.id];
    const text = source.body.replace(PLACEHOLDER, (match, partialId?: string, input?: string) => {
      if (input !== undefined) {
        addUse(input, source.file);
        return match;
      }
      const inner = this.#include(source, partialId ?? '', path);
      for (const [name, files] of inner.uses) for (const file of files) addUse(name, file);
      return inner.text;
    });
    return { text, uses };
  }

  #include(from: SourceFile, id: string, path: string[]): Expansion {
    const partial = this.#partials.get(id);
    if (partial === undefined) {
      throw new PromptError(`${from.file}: unknown partial {{> ${id}}}; expected partials/${id}.md`, {
        file: from.file,
      });
    }
    if (path.includes(id)) {
      throw new PromptError(`${from.file}: partial cycle ${[...path, id].join(' -> ')}`, { file: from.file });
    }
    const cached = this.#expanded.get(id);
    if (cached !== undefined) return cached;
    const expansion = this.expand(partial, path);
    this.#expanded.set(id, expansion);
    return expansion;
  }
}

interface ParsedFile<T> extends SourceFile {
  frontMatter: T;
}

function readDir<T extends { id: string }>(dir: string, schema: z.ZodType<T>): ParsedFile<T>[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md')
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new PromptError(`cannot read prompt directory ${dir}: ${String(err)}`, { file: dir });
  }
  return names.map((name) => readPromptFile(join(dir, name), name.slice(0, -'.md'.length), schema));
}

function readPromptFile<T extends { id: string }>(
  file: string,
  expectedId: string,
  schema: z.ZodType<T>,
): ParsedFile<T> {
  const lines = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const close = lines.indexOf('---', 1);
  if (lines[0] !== '---' || close < 0) {
    throw new PromptError(`${file}: must start with front matter between two "---" lines`, { file });
  }
  let raw: unknown;
  try {
    raw = parseYaml(lines.slice(1, close).join('\n'));
  } catch (err) {
    throw new PromptError(`${file}: front matter is not valid YAML: ${String(err)}`, { file });
  }
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'front matter'}: ${i.message}`)
      .join('; ');
    throw new PromptError(`${file}: invalid front matter: ${problems}`, { file });
  }
  const frontMatter = result.data;
  if (frontMatter.id !== expectedId) {
    throw new PromptError(`${file}: id "${frontMatter.id}" must equal the file name "${expectedId}"`, {
      file,
    });
  }
  // Blank lines around the body go; indentation of its first line stays.
  const body = lines
    .slice(close + 1)
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  if (body === '') throw new PromptError(`${file}: the body after the front matter is empty`, { file });
  const withoutPlaceholders = body.replace(PLACEHOLDER, '');
  const stray = withoutPlaceholders.indexOf('{{');
  if (stray >= 0) {
    const near = withoutPlaceholders.slice(stray, stray + 30);
    throw new PromptError(
      `${file}: malformed placeholder near "${near}"; use {{input_name}} or {{> partial-name}}`,
      { file },
    );
  }
  return { file, id: frontMatter.id, body, frontMatter };
}
