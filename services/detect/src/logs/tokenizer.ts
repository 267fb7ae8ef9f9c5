/**
 * Splits one log message into words and the separators between them, and marks the words that
 * look like variables. One configuration for every log source:
 *
 * - Words are separated by whitespace, by the punctuation that delimits fields in log lines
 *   (`= : , ; ( ) [ ] { } " ' | < >`) and by runs of two or more dots (`address space.....0`).
 *   Separators are kept, so a template renders back to the text of the line with `<*>` in
 *   place of its variables.
 * - A whitespace-separated chunk made only of hex digits and `. : , - + / _` that holds a decimal
 *   digit stays one word, whatever delimiters it holds: IPv4 and IPv6 addresses with ports, lists
 *   of them, MAC addresses, times, dates, versions and numbers are single values.
 * - A path or URL (a word starting with `/`, `./`, `~/`, `\`, `C:\` or a `scheme://`) runs to the
 *   end of its chunk, so a query string (`?a=1&b=2`) does not change the number of words.
 * - Six or more values in a row, apart only by spaces or commas, are one value (a list), so the
 *   length of a list does not change the number of words.
 * - Variable-like words: those holding a decimal digit (numbers, ids, UUIDs, hex, `12ms`,
 *   `blk_-123`), paths and URLs (holding `/` or `\`), day and month names, and a unit of size or time
 *   right after a number (`5.2 KB`, `93 B`, `3 secs`).
 */

/** A word that reads as part of the message (`failed`, `GET`, `SCREEN_ON`). */
export const CONSTANT = 0;
/** A word that may be a variable (`en0`, `jk2_init`, `/var/log`, `com.apple.mail`, `Mon`). */
export const VARIABLE_LIKE = 1;
/** A value: a number, address, time, date or id made of digits and hex (`0x1f`, `10.0.0.1:80`). */
export const VALUE = 2;
export type WordClass = typeof CONSTANT | typeof VARIABLE_LIKE | typeof VALUE;

/** A tokenised message: `words[i]` is preceded by `seps[i]`; `seps[words.length]` trails. */
export interface TokenizedLine {
  words: string[];
  seps: string[];
  /** The class of each word. */
  classes: WordClass[];
}

const SPACE = 1;
const DELIM = 2;
const DIGIT = 3;
const HEX_LETTER = 4;
const NUM_PUNCT = 5;
const OTHER = 0;

const DOT = 46;
const SLASH = 47;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const TILDE = 126;

const CLASS = new Uint8Array(128);
for (const c of ' \t\n\r\f\v') CLASS[c.charCodeAt(0)] = SPACE;
for (const c of '=:,;()[]{}"\'|<>') CLASS[c.charCodeAt(0)] = DELIM;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (const c of 'abcdefABCDEF') CLASS[c.charCodeAt(0)] = HEX_LETTER;
for (const c of '.-+/_') CLASS[c.charCodeAt(0)] = NUM_PUNCT;

function classOf(code: number): number {
  return code < 128 ? (CLASS[code] ?? OTHER) : OTHER;
}

/** Every word of `list` as written in lower case, Capitalised and UPPER CASE. */
function caseVariants(list: string): Set<string> {
  const out = new Set<string>();
  for (const w of list.split(' ')) {
    out.add(w);
    out.add(w.toUpperCase());
    out.add(w.charAt(0).toUpperCase() + w.slice(1));
  }
  return out;
}

/** Units that may follow a number. */
const UNITS = caseVariants(
  'b kb mb gb tb pb kib mib gib tib byte bytes k m g ' +
    'ns us µs ms s sec secs second seconds min mins minute minutes h hr hrs hour hours d day days %',
);
const DATE_WORDS = caseVariants(
  'mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday ' +
    'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july ' +
    'august september october november december',
);

/** A number, a number with a unit (`12ms`, `5.2GB`, `80%`) or a hex literal (`0x1f`). */
function isValue(word: string): boolean {
  if (word.length > 2 && word.charCodeAt(0) === 48 && (word.charCodeAt(1) | 32) === 120) {
    for (let i = 2; i < word.length; i++) {
      const cls = classOf(word.charCodeAt(i));
      if (cls !== DIGIT && cls !== HEX_LETTER) return false;
    }
    return true;
  }
  let i = 0;
  while (i < word.length && isNumberChar(word.charCodeAt(i))) i++;
  return i === word.length || (i > 0 && word.length - i <= 7 && UNITS.has(word.slice(i)));
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === DOT || c === COMMA || c === 45 || c === 43;
}

/** Is the word at `start` a path or URL, which then runs to the end of its chunk? */
function startsPath(message: string, start: number, end: number): boolean {
  const c = message.charCodeAt(start);
  if (c === SLASH || c === BACKSLASH) return true;
  // A Windows drive: `C:\`.
  if (isLetter(c) && message.charCodeAt(start + 1) === COLON && message.charCodeAt(start + 2) === BACKSLASH)
    return true;
  if ((c === DOT || c === TILDE) && start + 1 < end && message.charCodeAt(start + 1) === SLASH) return true;
  // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then `://`.
  let k = start;
  while (k < end && isSchemeChar(message.charCodeAt(k))) k++;
  return (
    k > start &&
    k + 2 < end &&
    message.charCodeAt(k) === COLON &&
    message.charCodeAt(k + 1) === SLASH &&
    message.charCodeAt(k + 2) === SLASH
  );
}

function isSchemeChar(c: number): boolean {
  const lower = c | 32;
  return (lower >= 97 && lower <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === DOT;
}

/**
 * Tokenises `message`. Pure; reads the char codes of each chunk at most three times and slices
 * each word and separator once.
 */
export function tokenize(message: string): TokenizedLine {
  const line: TokenizedLine = { words: [], seps: [], classes: [] };
  const n = message.length;
  let sepStart = 0;
  let i = 0;
  while (i < n) {
    if (classOf(message.charCodeAt(i)) === SPACE) {
      i++;
      continue;
    }
    // A chunk runs to the next whitespace; [a, b) is the chunk without delimiters around it.
    const chunkStart = i;
    while (i < n && classOf(message.charCodeAt(i)) !== SPACE) i++;
    let a = chunkStart;
    let b = i;
    while (a < b && classOf(message.charCodeAt(a)) === DELIM) a++;
    while (b > a && classOf(message.charCodeAt(b - 1)) === DELIM) b--;
    let hasDigit = false;
    let numeric = a < b;
    for (let k = a; k < b && numeric; k++) {
      const code = message.charCodeAt(k);
      const cls = classOf(code);
      if (cls === DIGIT) hasDigit = true;
      else if (cls !== HEX_LETTER && cls !== NUM_PUNCT && code !== COLON && code !== COMMA) numeric = false;
    }
    if (hasDigit && numeric) {
      sepStart = emit(line, message, sepStart, a, b, VALUE);
      continue;
    }
    // Otherwise split the chunk at delimiters and dot runs.
    let w = a;
    while (w < b) {
      while (w < b && isBreak(message, w)) w++;
      if (w >= b) break;
      const wordStart = w;
      if (startsPath(message, w, b)) {
        sepStart = emit(line, message, sepStart, wordStart, b, VARIABLE_LIKE);
        break;
      }
      let digit = false;
      while (w < b && !isBreak(message, w)) {
        if (classOf(message.charCodeAt(w)) === DIGIT) digit = true;
        w++;
      }
      const cls = digit ? VARIABLE_LIKE : isPathOrDotted(message, wordStart, w) ? VARIABLE_LIKE : CONSTANT;
      sepStart = emit(line, message, sepStart, wordStart, w, cls);
      if (digit && isValue(line.words[line.words.length - 1] ?? ''))
        line.classes[line.classes.length - 1] = VALUE;
    }
  }
  line.seps.push(message.slice(sepStart));
  markWordVariables(line.words, line.classes);
  return joinValueLists(line);
}

/** Appends the word [start, end) and the separator before it; returns where the next separator starts. */
function emit(
  line: TokenizedLine,
  message: string,
  sepStart: number,
  start: number,
  end: number,
  cls: WordClass,
): number {
  line.seps.push(message.slice(sepStart, start));
  line.words.push(message.slice(start, end));
  line.classes.push(cls);
  return end;
}

/**
 * Holds a `/` or `\\`, or is a dotted name (`com.apple.mail`, `host.example.org`, `a.yaml`: a dot
 * between two letters) that does not end in an UPPER_CASE segment, which names an enum constant
 * (`android.intent.action.SCREEN_ON`).
 */
function isPathOrDotted(message: string, start: number, end: number): boolean {
  let dotted = false;
  let lastDot = -1;
  for (let k = start; k < end; k++) {
    const c = message.charCodeAt(k);
    if (c === SLASH || c === BACKSLASH) return true;
    if (c === DOT) {
      lastDot = k;
      if (
        k > start &&
        k + 1 < end &&
        isLetter(message.charCodeAt(k - 1)) &&
        isLetter(message.charCodeAt(k + 1))
      ) {
        dotted = true;
      }
    }
  }
  return dotted && !isUpperCase(message, lastDot + 1, end);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isUpperCase(message: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  for (let k = start; k < end; k++) {
    const c = message.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || c === 95)) return false;
  }
  return true;
}

/** A delimiter, or a dot that starts or continues a run of dots. */
function isBreak(message: string, k: number): boolean {
  const code = message.charCodeAt(k);
  if (classOf(code) === DELIM) return true;
  return code === DOT && (message.charCodeAt(k + 1) === DOT || message.charCodeAt(k - 1) === DOT);
}

/** Day and month names, and units right after a number, are variable-like too. */
function markWordVariables(words: readonly string[], classes: WordClass[]): void {
  for (let k = 0; k < words.length; k++) {
    const word = words[k] ?? '';
    if (classes[k] !== CONSTANT || word.length > 9) continue;
    if (DATE_WORDS.has(word) || (k > 0 && classes[k - 1] === VALUE && UNITS.has(word)))
      classes[k] = VARIABLE_LIKE;
  }
}

/** Values in a row that make a list (`channels 1 2 3 ... 161`); shorter runs stay apart. */
const LIST_MIN_VALUES = 6;

function isListSep(sep: string): boolean {
  for (let i = 0; i < sep.length; i++) {
    const c = sep.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== COMMA) return false;
  }
  return sep.length > 0;
}

/** Turns each run of at least LIST_MIN_VALUES values, apart only by spaces or commas, into one value. */
function joinValueLists(line: TokenizedLine): TokenizedLine {
  const { words, seps, classes } = line;
  let runs = false;
  for (let k = 0, run = 0; k < words.length; k++) {
    run =
      classes[k] === VALUE && (run === 0 || isListSep(seps[k] ?? ''))
        ? run + 1
        : classes[k] === VALUE
          ? 1
          : 0;
    if (run >= LIST_MIN_VALUES) runs = true;
  }
  if (!runs) return line;
  const out: TokenizedLine = { words: [], seps: [], classes: [] };
  let k = 0;
  while (k < words.length) {
    let end = k + 1;
    if (classes[k] === VALUE) {
      while (end < words.length && classes[end] === VALUE && isListSep(seps[end] ?? '')) end++;
    }
    out.seps.push(seps[k] ?? '');
    if (end - k >= LIST_MIN_VALUES) {
      let joined = words[k] ?? '';
      for (let j = k + 1; j < end; j++) joined += (seps[j] ?? '') + (words[j] ?? '');
      out.words.push(joined);
      out.classes.push(VALUE);
      k = end;
    } else {
      out.words.push(words[k] ?? '');
      out.classes.push(classes[k] ?? CONSTANT);
      k++;
    }
  }
  out.seps.push(seps[words.length] ?? '');
  return out;
}
