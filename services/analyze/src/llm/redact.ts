import { Buffer } from 'node:buffer';

/**
 * What Sleuth sends to an LLM (tool results holding log lines, Kubernetes events and object specs,
 * the user's question) passes through a {@link Redactor} first, so credentials never leave. A secret
 * is replaced where it sits by `[REDACTED:<kind>]` and the text around it stays as it was: an SRE (and
 * the model) must still be able to read the log line. Detection errs toward redacting in structured
 * text (`key=value`, JSON, YAML) and toward keeping prose, where a secret word is usually just a word.
 */
export type SecretKind =
  | 'private-key'
  | 'jwt'
  | 'bearer'
  | 'basic-auth'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'connection-string-password'
  | 'url-credentials'
  | 'password-assignment'
  | 'api-key'
  | 'github-token'
  | 'slack-token'
  | 'secret-field'
  | 'email';

export interface RedactorOptions {
  /** Also redact email addresses: personal data rather than credentials, so off unless asked for. */
  emails: boolean;
  /**
   * Replace the names given to {@link Redactor.addNames} by placeholders `⟨res-N⟩` (U+27E8, U+27E9:
   * characters no log line or manifest uses), which {@link Redactor.restore} turns back into names.
   */
  anonymise: boolean;
}

type Found = (kind: SecretKind) => void;
/** One detector: the text with its kind of secret replaced, each replacement reported to `found`. */
type Pass = (text: string, found: Found) => string;

const marker = (kind: SecretKind): string => `[REDACTED:${kind}]`;
const MARKER_START = '[REDACTED:';
const MARKER = /\[REDACTED:[a-z-]{1,30}\]/y;

// A field or key name that names a secret ends with one of these (DB_PASSWORD, clientSecret, x-api-key,
// SECRET_KEY_BASE). Ending, not containing: password_reset_count, token_bucket_size, max_tokens and
// secretName (a reference to a Secret) are not secrets.
const SECRET_WORD = String.raw`(?:pass(?:word|wd|phrase)|secret|token|credentials?|cookie|(?:api|access|private|secret|signing|encryption|master|client|account)[_.-]?key)(?:[_.-]?(?:base|value|b64|base64))?`;
const SECRET_KEY = new RegExp(String.raw`(?:${SECRET_WORD}|authorization)$`, 'i');
// A secret word alone, as prose uses it: "invalid token: Token is expired".
const BARE_SECRET_WORD = /^(?:pass(?:word|wd|phrase)|secret|token|credentials?|cookie)$/i;
// Values that hide nothing: placeholders, references to where the secret comes from, earlier markers.
const NOT_A_SECRET =
  /^(?:null|nil|none|undefined|true|false|\*+|x{3,}|<[^<>]*>|\[?redacted\]?|\$\{?\w{1,64}\}?|\$\(\w{1,64}\))$/i;
const MARKERS_ONLY = /^(?:\[REDACTED:[a-z-]{1,30}\]|\\[nrt]|\s)+$/;
const hidesNothing = (value: string): boolean => NOT_A_SECRET.test(value) || MARKERS_ONLY.test(value);
// An assignment's value: escaped-quoted (JSON inside JSON), quoted, or bare up to a delimiter. A value
// opening with `{` is a structure (`secret: {secretName: db}`) whose own keys are judged instead.
const VALUE = String.raw`(\\"[^"\\\n]{1,512}\\"|"(?:[^"\\\n]|\\.){1,512}"|'[^'\n]{1,512}'|[^\s"'\\,;&]{1,512})`;

const PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\s\S]){0,16384}-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|(?:\r?\n|\\r?\\n|(?:Proc-Type|DEK-Info):[^\n\\]{0,100}|[A-Za-z0-9+/=]){0,20000})/g;
const URL_CREDENTIALS =
  /(?<![\w+.-])(([a-z][a-z0-9+.-]{1,30}):\/\/[^\s:/?#@"'<>]{0,256}:)([^\s/?#"'<>]{1,256})(?=@[\w[])/gi;
const WEB_SCHEME = /^(?:https?|ftps?|sftp|ssh|wss?|git(?:\+\w+)?|svn(?:\+ssh)?)$/i;
const JWT = /(?<![\w-])eyJ[\w-]{8,4096}\.[\w-]{8,8192}\.[\w-]{0,4096}/g;
const AWS_ACCESS_KEY = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const GITHUB_TOKEN =
  /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})(?![A-Za-z0-9_])/g;
const SLACK_TOKEN =
  /(?<![A-Za-z0-9-])xox[abposre]-[A-Za-z0-9-]{10,250}|(?<=hooks\.slack\.com\/services\/)[A-Za-z0-9/]{10,200}/g;
const API_KEY =
  /(?<![\w-])(?:sk-[\w-]{20,400}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,250}|AIza[\w-]{35}|glpat-[\w-]{20,100}|npm_[A-Za-z0-9]{36})(?![\w-])/g;
const SCHEMES = 'bearer|basic|token|negotiate|ntlm|apikey';
const AUTHORIZATION = new RegExp(
  String.raw`(?<![A-Za-z0-9])(authorization\\?["']?[ \t]{0,4}[:=][ \t]{0,4}(?:\\?["']|\[)?)(?:((?:${SCHEMES})[ \t]{1,4})|(?!(?:${SCHEMES})\b))(?!\[REDACTED:)[^\s"'\\\],;]{1,4096}`,
  'gi',
);
// A bare token after "Bearer" has a digit: "Bearer authentication required" is prose.
const BEARER = /(?<![\w-])(bearer[ \t]{1,4})(?=[\w.~+/-]{0,4096}\d)([\w.~+/-]{12,4096}={0,3})/gi;
const BASIC = /(?<![\w-])(basic[ \t]{1,4})([A-Za-z0-9+/]{8,1024}={0,2})(?![\w+/=-])/gi;
const AWS_SECRET_KEY =
  /(?<![A-Za-z0-9])((?:(?:aws_?)?secret_?access_?key|aws_?secret_?key)\\?["']?[ \t]{0,4}(?:=>|[:=])[ \t]{0,4}\\?["']?)([A-Za-z0-9/+]{30,60}={0,2})(?![A-Za-z0-9/+=])/gi;
const ASSIGNMENT = new RegExp(
  String.raw`(?<![\w.-])(\\?["']?)([\w.-]{0,64}?${SECRET_WORD})(?![\w.-])\1([ \t]{0,4}(?::=|=>|=|:)[ \t]{0,4})(?!\[REDACTED:|\{)${VALUE}`,
  'gi',
);
const FLAG = new RegExp(
  String.raw`(?<![\w.-])(--?[\w.-]{0,64}?${SECRET_WORD})(?![\w.-])([ \t]{1,4})(?![-[{])${VALUE}`,
  'gi',
);
const EMAIL =
  /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![\w-])/g;

function wholeMatch(re: RegExp, kind: SecretKind, accept: (match: string) => boolean = () => true): Pass {
  return (text, found) =>
    text.replace(re, (match: string) => {
      if (!accept(match)) return match;
      found(kind);
      return marker(kind);
    });
}

/** For patterns whose first group is context to keep (a header name, a scheme) and second the secret. */
function afterPrefix(re: RegExp, kind: SecretKind, accept: (secret: string) => boolean = () => true): Pass {
  return (text, found) =>
    text.replace(re, (match: string, prefix: string, secret: string) => {
      if (!accept(secret)) return match;
      found(kind);
      return prefix + marker(kind);
    });
}

// Lower-case `sk-...` is a Kubernetes name (sk-learn-worker-7d9f8b6c5d-x2x9z); issued keys mix cases and digits.
const looksIssued = (key: string): boolean =>
  !key.startsWith('sk-') || (/[A-Z]/.test(key) && /[a-z]/.test(key) && /\d/.test(key));

// "Basic authentication failed" is prose; a Basic credential decodes to printable `user:password`.
function isUserPassword(encoded: string): boolean {
  return /^[\x20-\x7e]{0,256}:[\x20-\x7e]{1,256}$/.test(Buffer.from(encoded, 'base64').toString('latin1'));
}

const urlCredentials: Pass = (text, found) =>
  text.replace(URL_CREDENTIALS, (match: string, prefix: string, scheme: string, password: string) => {
    if (password.startsWith(MARKER_START)) return match;
    const kind = WEB_SCHEME.test(scheme) ? 'url-credentials' : 'connection-string-password';
    found(kind);
    return prefix + marker(kind);
  });

const authorizationHeader: Pass = (text, found) =>
  text.replace(AUTHORIZATION, (_match: string, prefix: string, scheme: string | undefined) => {
    const kind = scheme?.trim().toLowerCase() === 'basic' ? 'basic-auth' : 'bearer';
    found(kind);
    return prefix + (scheme ?? '') + marker(kind);
  });

/** A value without its quotes, and what to write around the marker: the quotes, or closing brackets it swallowed. */
function splitValue(value: string): { bare: string; open: string; close: string } {
  const quote = /^(?:\\"|"|')/.exec(value)?.[0];
  if (quote) return { bare: value.slice(quote.length, -quote.length), open: quote, close: quote };
  const closers = /[)\]}]{1,8}$/.exec(value)?.[0] ?? '';
  const body = value.slice(0, value.length - closers.length);
  return body !== '' && !/[([{]/.test(body)
    ? { bare: body, open: '', close: closers }
    : { bare: value, open: '', close: '' };
}

// True when the key begins an entry of structured text: a line (YAML, env files), a list item, a flow map.
function beginsEntry(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && ' \t'.includes(text.charAt(i))) i--;
  if (text.charAt(i) === '-') {
    i--;
    while (i >= 0 && ' \t'.includes(text.charAt(i))) i--;
  }
  return i < 0 || '\n\r{[,('.includes(text.charAt(i));
}

const assignment: Pass = (text, found) =>
  text.replace(
    ASSIGNMENT,
    (match: string, quote: string, key: string, op: string, value: string, offset: number, input: string) => {
      const { bare, open, close } = splitValue(value);
      if (hidesNothing(bare)) return match;
      // "invalid token: expired", "get secret: secrets "db" is forbidden": a lone word and a colon mid-line
      // is prose unless what follows looks like a credential (digits or symbols).
      const prose =
        quote === '' &&
        open === '' &&
        /^:[ \t]/.test(op) &&
        BARE_SECRET_WORD.test(key) &&
        /^[A-Za-z]+$/.test(bare);
      if (prose && !beginsEntry(input, offset)) return match;
      found('password-assignment');
      return `${quote}${key}${quote}${op}${open}${marker('password-assignment')}${close}`;
    },
  );

const flag: Pass = (text, found) =>
  text.replace(FLAG, (match: string, key: string, gap: string, value: string) => {
    const { bare, open, close } = splitValue(value);
    if (hidesNothing(bare)) return match;
    found('password-assignment');
    return `${key}${gap}${open}${marker('password-assignment')}${close}`;
  });

/**
 * "the password is hunter2", "token was 9f8e...": a secret word, then is/was, then a value that
 * looks issued (it holds a digit or a symbol), as people write in chat and tickets. Prose such as
 * "the password is expired" keeps its words.
 */
const STATED = new RegExp(
  String.raw`(\b(?:pass(?:word|wd|phrase)|secret|token|api[ _-]?key|access[ _-]?key)\s{1,4}(?:is|was|=)\s{1,4})([^\s"',;]{0,256}[\d!#$%^&*+=@~][^\s"',;]{0,256})`,
  'gi',
);
const stated: Pass = (text, found) =>
  text.replace(STATED, (match: string, lead: string, value: string) => {
    if (hidesNothing(value) || value.startsWith(MARKER_START)) return match;
    found('password-assignment');
    return `${lead}${marker('password-assignment')}`;
  });

// Shape-specific detectors run before the generic ones so a secret is counted under its most telling kind.
const SECRET_PASSES: readonly Pass[] = [
  wholeMatch(PRIVATE_KEY, 'private-key'),
  urlCredentials,
  wholeMatch(JWT, 'jwt'),
  wholeMatch(AWS_ACCESS_KEY, 'aws-access-key'),
  wholeMatch(GITHUB_TOKEN, 'github-token'),
  wholeMatch(SLACK_TOKEN, 'slack-token'),
  wholeMatch(API_KEY, 'api-key', looksIssued),
  authorizationHeader,
  afterPrefix(BEARER, 'bearer'),
  afterPrefix(BASIC, 'basic-auth', isUserPassword),
  afterPrefix(AWS_SECRET_KEY, 'aws-secret-key'),
  assignment,
  flag,
  stated,
];
const EMAIL_PASS = wholeMatch(EMAIL, 'email');

const MIN_NAME_LENGTH = 3;
const PLACEHOLDER = /[⟨<]res-(\d{1,7})[⟩>]/g;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const SECRET_TYPE = /^(?:Opaque$|(?:kubernetes\.io|bootstrap\.kubernetes\.io|helm\.sh)\/)/;

const isWordChar = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

interface NameNode {
  next: Map<string, NameNode>;
  placeholder?: string;
}

/**
 * Registered names as a character trie, so one scan finds the longest name starting at each word
 * boundary whatever the number of names (an investigation registers every pod it saw).
 */
class NameTable {
  private readonly root: NameNode = { next: new Map() };
  private readonly names: string[] = [];
  private readonly known = new Set<string>();

  add(name: string): void {
    if (name.length < MIN_NAME_LENGTH || this.known.has(name)) return;
    this.known.add(name);
    this.names.push(name);
    let node = this.root;
    for (let i = 0; i < name.length; i++) {
      const ch = name.charAt(i);
      let next = node.next.get(ch);
      if (!next) node.next.set(ch, (next = { next: new Map() }));
      node = next;
    }
    node.placeholder = `⟨res-${this.names.length}⟩`;
  }

  mask(text: string): string {
    if (this.names.length === 0) return text;
    let out = '';
    let copied = 0;
    let i = 0;
    while (i < text.length) {
      if (text.charCodeAt(i) === 91 && text.startsWith(MARKER_START, i)) {
        // Only a whole marker is skipped: a log line holding "[REDACTED: " must not unmask the rest.
        MARKER.lastIndex = i;
        const m = MARKER.exec(text);
        if (m) {
          i += m[0].length;
          continue;
        }
      }
      const found = isWordChar(text.charCodeAt(i - 1)) ? undefined : this.longestAt(text, i);
      if (found) {
        out += text.slice(copied, i) + found.placeholder;
        i = copied = found.end;
      } else i++;
    }
    return out + text.slice(copied);
  }

  unmask(text: string): string {
    return text.replace(PLACEHOLDER, (match: string, id: string) => this.names[Number(id) - 1] ?? match);
  }

  private longestAt(text: string, start: number): { end: number; placeholder: string } | undefined {
    let node = this.root;
    let found: { end: number; placeholder: string } | undefined;
    for (let j = start; j < text.length; j++) {
      const next = node.next.get(text.charAt(j));
      if (!next) break;
      node = next;
      if (node.placeholder !== undefined && !isWordChar(text.charCodeAt(j + 1))) {
        found = { end: j + 1, placeholder: node.placeholder };
      }
    }
    return found;
  }
}

function isKubernetesSecret(object: object): boolean {
  const kind = 'kind' in object ? object.kind : undefined;
  const type = 'type' in object ? object.type : undefined;
  const typed =
    typeof type === 'string' && SECRET_TYPE.test(type) && ('data' in object || 'stringData' in object);
  return kind === 'Secret' || typed;
}

/**
 * The gate between Sleuth and an LLM: secrets out of everything sent, and in anonymise mode resource
 * names swapped for placeholders and swapped back in the answer. One Redactor serves one
 * investigation: placeholders are stable and counts accumulate for its lifetime. Never throws on
 * odd input; the detectors' patterns are bounded, so a few MB of tool output take linear time.
 */
export class Redactor {
  private readonly options: RedactorOptions;
  private readonly passes: readonly Pass[];
  private readonly tally = new Map<SecretKind, number>();
  private readonly names = new NameTable();
  private readonly found: Found = (kind) => {
    this.tally.set(kind, (this.tally.get(kind) ?? 0) + 1);
  };

  constructor(options: Partial<RedactorOptions> = {}) {
    this.options = { emails: options.emails ?? false, anonymise: options.anonymise ?? false };
    this.passes = this.options.emails ? [...SECRET_PASSES, EMAIL_PASS] : SECRET_PASSES;
  }

  /**
   * Registers resource names (clusters, namespaces, object names) to replace in anonymise mode; no-op
   * otherwise. Names shorter than 3 characters are ignored (they would match everywhere); matching is
   * case-sensitive and on word boundaries, where `-`, `.` and `/` are boundaries, so a registered
   * `checkout` also hides the prefix of an unregistered pod `checkout-7d9f8b-x2x9z`.
   */
  addNames(names: Iterable<string>): void {
    if (!this.options.anonymise) return;
    for (const name of names) this.names.add(name);
  }

  /**
   * The text with every secret replaced by `[REDACTED:<kind>]` (and, in anonymise mode, registered
   * names by placeholders `⟨res-N⟩`, never inside a marker). Redacting a result again changes nothing.
   */
  redact(text: string): string {
    const out = this.redactSecrets(text);
    return this.options.anonymise ? this.names.mask(out) : out;
  }

  /**
   * Secrets only, names left alone: for Sleuth's own text (prompts, fence markup), which a name
   * such as a namespace called `data` must not rewrite.
   */
  redactSecrets(text: string): string {
    let out = text;
    for (const pass of this.passes) out = pass(out, this.found);
    return out;
  }

  /**
   * Deep copy of a JSON-like value with every string redacted, and `[REDACTED:secret-field]` for: the
   * string or number under a key that names a secret (password, token, apiKey, client_secret,
   * DB_PASSWORD, ...); the `value` of an entry whose `name` or `key` names one (Kubernetes env vars);
   * every value in a Kubernetes Secret's `data` and `stringData`. Keys are never changed, so the result
   * has the value's shape, though a numeric secret becomes the marker string. A kubectl
   * last-applied-configuration annotation is redacted as the JSON it holds; a cycle becomes `[Circular]`.
   */
  redactValue<T>(value: T): T;
  redactValue(value: unknown): unknown {
    return this.walk(value, new Set(), false);
  }

  /**
   * Puts the real names back in text the LLM wrote (anonymise mode), also where the model glued a
   * placeholder to other text or wrote it with ASCII brackets (`<res-2>`); identity otherwise.
   * Placeholders this Redactor never issued are left as written.
   */
  restore(text: string): string {
    return this.options.anonymise ? this.names.unmask(text) : text;
  }

  /** How many of each kind were redacted so far (for metrics and the answer's record). */
  counts(): Partial<Record<SecretKind, number>> {
    const out: Partial<Record<SecretKind, number>> = {};
    for (const [kind, n] of this.tally) out[kind] = n;
    return out;
  }

  private secretField(): string {
    this.found('secret-field');
    return marker('secret-field');
  }

  /** `masked`: inside a secret, so every string and number is replaced outright. */
  private walk(value: unknown, ancestors: Set<object>, masked: boolean): unknown {
    if (typeof value === 'string') return masked && value !== '' ? this.secretField() : this.redact(value);
    if (typeof value === 'number') return masked ? this.secretField() : value;
    if (value instanceof Date) return new Date(value.getTime());
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) return '[Circular]';
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        const items: unknown[] = value;
        return items.map((item) => this.walk(item, ancestors, masked));
      }
      return this.walkObject(value, ancestors, masked);
    } finally {
      ancestors.delete(value);
    }
  }

  private walkObject(object: object, ancestors: Set<object>, masked: boolean): Record<string, unknown> {
    const entries: [string, unknown][] = Object.entries(object);
    const secret = isKubernetesSecret(object);
    const namedSecret = entries.some(
      ([key, item]) => (key === 'name' || key === 'key') && typeof item === 'string' && SECRET_KEY.test(item),
    );
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const wholly =
        masked || (secret && (key === 'data' || key === 'stringData')) || (namedSecret && key === 'value');
      const scalar = typeof item === 'number' || (typeof item === 'string' && item !== '');
      if (!wholly && scalar && SECRET_KEY.test(key)) {
        out[key] = this.secretField();
      } else if (!wholly && key === LAST_APPLIED && typeof item === 'string') {
        out[key] = this.walkJson(item, ancestors);
      } else {
        out[key] = this.walk(item, ancestors, wholly);
      }
    }
    return out;
  }

  private walkJson(text: string, ancestors: Set<object>): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.redact(text);
    }
    return JSON.stringify(this.walk(parsed, ancestors, false));
  }
}
