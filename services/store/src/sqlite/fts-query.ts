import { ValidationError } from '@sleuth/core';

/** One thing the user asked for: a word or a "quoted phrase", maybe a prefix, maybe excluded. */
export interface SearchTerm {
  text: string;
  phrase: boolean;
  prefix: boolean;
  exclude: boolean;
}

/** The safe FTS5 form of a user's query. */
export interface FtsMatch {
  /** Terms every hit must contain, ANDed; absent when the query only excludes. */
  include?: string;
  /** Terms no hit may contain, ORed (to be used as `... NOT (exclude)`). */
  exclude?: string;
}

/** Characters the unicode61 tokenizer keeps inside tokens: letters, numbers, private use. */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const TOKEN_RUN = /[\p{L}\p{N}\p{Co}]+/gu;
const MIN_PREFIX = 2;
const MAX_TERMS = 32;

/**
 * Splits query text into terms. Whitespace separates words; `"..."` is a phrase; a leading `-`
 * excludes a word or phrase; a trailing `*` makes the last token a prefix. Throws ValidationError
 * for an unclosed quote.
 */
export function parseSearchTerms(text: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/u.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    let exclude = false;
    if (text[i] === '-' && i + 1 < text.length && !/\s/u.test(text[i + 1] ?? '')) {
      exclude = true;
      i++;
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new ValidationError(`q: the quote at character ${i + 1} is never closed`);
      let prefix = false;
      let next = close + 1;
      while (text[next] === '*') {
        prefix = true;
        next++;
      }
      terms.push({ text: text.slice(i + 1, close), phrase: true, prefix, exclude });
      i = next;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== '"' && !/\s/u.test(text[end] ?? '')) end++;
    const raw = text.slice(i, end);
    const word = raw.replace(/\*+$/u, '');
    terms.push({ text: word, phrase: false, prefix: word.length < raw.length, exclude });
    i = end;
  }
  return terms;
}

/** `"text"` with FTS5 string quoting (a double quote is doubled), plus `*` for a prefix. */
function ftsString(term: SearchTerm, column: string): string {
  return `${column} : "${term.text.replaceAll('"', '""')}"${term.prefix ? ' *' : ''}`;
}

/**
 * Turns a user's search text into an FTS5 MATCH expression over `column`. User text never reaches
 * MATCH raw: every word and phrase becomes a quoted FTS5 string, so operators (AND, OR, NOT,
 * NEAR, column filters, parentheses) typed by the user are plain words. FTS5 tokenizes each string
 * the same way it tokenized the body, so `user_id` or `10.0.0.1` match as the token sequences they
 * are. Words without any letter or digit are ignored.
 *
 * Throws ValidationError when nothing searchable is left, a prefix is shorter than 2 characters,
 * or a quote is not closed.
 */
export function toFtsMatch(text: string, column: string): FtsMatch {
  const terms = parseSearchTerms(text).filter((t) => TOKEN_CHAR.test(t.text));
  if (terms.length === 0) {
    throw new ValidationError(`q: "${text}" has no words to search for (only punctuation or spaces)`);
  }
  if (terms.length > MAX_TERMS) {
    throw new ValidationError(`q: at most ${MAX_TERMS} words and phrases are supported, got ${terms.length}`);
  }
  for (const t of terms) {
    const last = [...t.text.matchAll(TOKEN_RUN)].at(-1)?.[0] ?? '';
    if (t.prefix && [...last].length < MIN_PREFIX) {
      throw new ValidationError(
        `q: a prefix search needs at least ${MIN_PREFIX} letters or digits before '*' (got '${t.text}*')`,
      );
    }
  }
  const include = terms.filter((t) => !t.exclude).map((t) => ftsString(t, column));
  const exclude = terms.filter((t) => t.exclude).map((t) => ftsString(t, column));
  return {
    ...(include.length > 0 ? { include: include.join(' AND ') } : {}),
    ...(exclude.length > 0 ? { exclude: exclude.join(' OR ') } : {}),
  };
}
