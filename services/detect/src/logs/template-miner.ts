import { z } from 'zod';
import { ConfigError } from '@sleuth/core';
import { messageOf } from './message';
import { fromSnapshot, parseSnapshot, toSnapshot, type MinerSnapshot } from './miner-state';
import { absorb, compare, createTemplate, render, skeletonKey, templateId, type Template } from './template';
import { CONSTANT, tokenize, VARIABLE_LIKE, type TokenizedLine } from './tokenizer';

/** Limits and the one tuning knob of a `TemplateMiner`; the defaults suit every source. */
export const MinerOptions = z.object({
  /** Templates kept; past it the least recently matched tenth is evicted. */
  maxTemplates: z.number().int().min(1),
  /** Words per template; the rest of a longer message is one variable-like last word. */
  maxWords: z.number().int().min(1),
  /** Characters of a message read; the rest is ignored. */
  maxMessageChars: z.number().int().min(1),
  /**
   * Characters of line shapes remembered for the fast path (a memo from a line's shape to its
   * template: forgetting one only costs time); the oldest are forgotten first.
   */
  maxShapeChars: z.number().int().min(1),
  /**
   * Distinct constant words seen at one position of otherwise equal messages before that position
   * becomes a variable for the lines that follow (`Invalid user alice`, `... bob`, ...); enums of
   * fewer values (`VM Started` / `Paused` / `Stopped`) stay apart.
   */
  wordVariableAfter: z.number().int().min(2),
});
export type MinerOptions = z.infer<typeof MinerOptions>;

export const DEFAULT_MINER_OPTIONS: Readonly<MinerOptions> = {
  maxTemplates: 10_000,
  maxWords: 64,
  maxMessageChars: 2048,
  maxShapeChars: 4_000_000,
  wordVariableAfter: 5,
};

/** What the miner made of one log message. */
export interface MinedLine {
  /** Stable id: the same across restarts (see `toJSON`), and the same for the same line. */
  templateId: string;
  /** True when this line created the template. */
  created: boolean;
}

/** A template as callers see it. */
export interface TemplateInfo {
  id: string;
  /** The template text: the message with `<*>` for each variable. */
  text: string;
  /** Lines matched since the template was created (restored state included). */
  count: number;
}

/** Counters of what the miner did with odd input and with its limits. */
export interface MinerStats {
  lines: number;
  multiLine: number;
  truncatedChars: number;
  truncatedWords: number;
  evicted: number;
}

/**
 * An online log template miner. `add` takes one log message (a record's body; a multi-line body
 * is mined from its first non-blank line) and returns its template id at once; templates grow
 * more general as lines arrive but never merge, so an id means the same thing for its whole life.
 *
 * Matching is exact on the message's constant words and tolerant on its variable-like ones (see
 * tokenizer.ts); the earliest created template that matches wins, which makes the result depend
 * only on the templates, never on the order of lookups: a miner restored from `toJSON()` gives
 * every line the id the original would have given it. Memory is bounded by `maxTemplates`,
 * `maxWords`, `maxMessageChars` and `maxShapeChars`.
 */
export class TemplateMiner {
  private readonly opts: MinerOptions;
  private readonly byId = new Map<string, Template>();
  private readonly byLength = new Map<number, Template[]>();
  private readonly shapes = new Map<string, Template>();
  private shapeChars = 0;
  private seq = 0;
  private clock = 0;
  private readonly counters: MinerStats = {
    lines: 0,
    multiLine: 0,
    truncatedChars: 0,
    truncatedWords: 0,
    evicted: 0,
  };

  /** Throws `ConfigError` when an option is out of range. */
  constructor(options: Partial<MinerOptions> = {}) {
    const parsed = MinerOptions.safeParse({ ...DEFAULT_MINER_OPTIONS, ...options });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(
        `log template miner: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid options'}`,
      );
    }
    this.opts = parsed.data;
  }

  add(body: string): MinedLine {
    this.clock++;
    this.counters.lines++;
    const { text, multiLine, truncated } = messageOf(body, this.opts.maxMessageChars);
    if (multiLine) this.counters.multiLine++;
    if (truncated) this.counters.truncatedChars++;
    const line = this.capWords(tokenize(text));
    const key = skeletonKey(line);
    const known = this.shapes.get(key);
    if (known && this.byId.get(known.id) === known) {
      absorb(known, line, this.clock);
      return { templateId: known.id, created: false };
    }
    const { match, anyAt } = this.find(line);
    if (match) {
      absorb(match, line, this.clock);
      this.remember(key, match);
      return { templateId: match.id, created: false };
    }
    const t = this.create(key, line, anyAt);
    this.remember(key, t);
    return { templateId: t.id, created: true };
  }

  template(id: string): TemplateInfo | undefined {
    const t = this.byId.get(id);
    return t && info(t);
  }

  /** Every template, in creation order. */
  templates(): TemplateInfo[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq).map(info);
  }

  get size(): number {
    return this.byId.size;
  }

  get stats(): Readonly<MinerStats> {
    return { ...this.counters };
  }

  /** The miner's state as plain JSON, to save and give to `TemplateMiner.restore`. */
  snapshot(): MinerSnapshot {
    return toSnapshot(
      this.seq,
      this.clock,
      [...this.byId.values()].sort((a, b) => a.seq - b.seq),
    );
  }

  /**
   * A miner from a saved `snapshot()` (validated: throws `DecodeError` on anything else). The
   * options may differ from the saved miner's; a lower `maxTemplates` evicts at once.
   */
  static restore(saved: unknown, options: Partial<MinerOptions> = {}): TemplateMiner {
    const state = parseSnapshot(saved);
    const miner = new TemplateMiner(options);
    miner.seq = Math.max(state.seq, ...state.templates.map((t) => t.seq + 1));
    miner.clock = state.clock;
    for (const t of fromSnapshot(state).sort((a, b) => a.seq - b.seq)) miner.insert(t);
    miner.evictIfFull();
    return miner;
  }

  /** The earliest template the line matches; else the position to generalise, if any. */
  private find(line: TokenizedLine): { match?: Template; anyAt: number } {
    const bucket = this.byLength.get(line.words.length);
    if (!bucket) return { anyAt: -1 };
    let siblings: Map<number, Set<string>> | undefined;
    for (const t of bucket) {
      const at = compare(t, line);
      if (at === -1) return { match: t, anyAt: -1 };
      if (at >= 0) {
        siblings ??= new Map();
        const values = siblings.get(at) ?? new Set<string>();
        values.add(t.words[at] ?? '');
        siblings.set(at, values);
      }
    }
    if (!siblings) return { anyAt: -1 };
    let constants = 0;
    for (const c of line.classes) if (c === CONSTANT) constants++;
    // Generalising must leave the message at least two constant words to be recognised by.
    if (constants < 3) return { anyAt: -1 };
    for (const [at, values] of siblings) {
      if (values.size + 1 >= this.opts.wordVariableAfter) return { anyAt: at };
    }
    return { anyAt: -1 };
  }

  private create(key: string, line: TokenizedLine, anyAt: number): Template {
    let id = templateId(anyAt >= 0 ? `${key}\u0001${anyAt}` : key);
    for (let n = 2; this.byId.has(id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
    const t = createTemplate(id, this.seq++, line, this.clock, anyAt);
    this.insert(t);
    this.evictIfFull();
    return t;
  }

  private insert(t: Template): void {
    this.byId.set(t.id, t);
    const bucket = this.byLength.get(t.words.length);
    if (bucket) bucket.push(t);
    else this.byLength.set(t.words.length, [t]);
  }

  /** Drops the least recently matched tenth when over the cap (amortised: one sort per tenth). */
  private evictIfFull(): void {
    if (this.byId.size <= this.opts.maxTemplates) return;
    const all = [...this.byId.values()].sort((a, b) => a.lastSeen - b.lastSeen || a.seq - b.seq);
    const drop = all.slice(
      0,
      Math.max(this.byId.size - this.opts.maxTemplates, Math.ceil(this.opts.maxTemplates / 10)),
    );
    for (const t of drop) {
      this.byId.delete(t.id);
      const bucket = this.byLength.get(t.words.length) ?? [];
      bucket.splice(bucket.indexOf(t), 1);
      if (bucket.length === 0) this.byLength.delete(t.words.length);
    }
    this.counters.evicted += drop.length;
  }

  private remember(key: string, t: Template): void {
    if (this.shapes.delete(key)) this.shapeChars -= key.length;
    this.shapeChars += key.length;
    this.shapes.set(key, t);
    for (const oldest of this.shapes.keys()) {
      if (this.shapeChars <= this.opts.maxShapeChars || oldest === key) break;
      this.shapes.delete(oldest);
      this.shapeChars -= oldest.length;
    }
  }

  /** A message of more than `maxWords` words keeps its first ones; the rest is one variable-like word. */
  private capWords(line: TokenizedLine): TokenizedLine {
    const max = this.opts.maxWords;
    if (line.words.length <= max) return line;
    this.counters.truncatedWords++;
    let tail = line.words[max - 1] ?? '';
    for (let i = max; i < line.words.length; i++) tail += (line.seps[i] ?? '') + (line.words[i] ?? '');
    return {
      words: [...line.words.slice(0, max - 1), tail],
      seps: [...line.seps.slice(0, max), line.seps[line.words.length] ?? ''],
      classes: [...line.classes.slice(0, max - 1), VARIABLE_LIKE],
    };
  }
}

function info(t: Template): TemplateInfo {
  return { id: t.id, text: render(t), count: t.count };
}
