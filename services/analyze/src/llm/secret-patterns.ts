import { Buffer } from 'node:buffer';

/** The kinds of secret a {@link Redactor} detects; a redacted one reads `[REDACTED:<kind>]`. */
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

export type Found = (kind: SecretKind) => void;
/** One detector: the text with its kind of secret replaced, each replacement reported to `found`. */
export type Pass = (text: string, found: Found) => string;

export const marker = (kind: SecretKind): string => `[REDACTED:${kind}]`;
export const MARKER_START = '[REDACTED:';
export const MARKER = /\[REDACTED:[a-z-]{1,30}\]/y;

// A field or key name that names a secret ends with one of these (DB_PASSWORD, clientSecret, x-api-key,
// SECRET_KEY_BASE). Ending, not containing: password_reset_count, token_bucket_size, max_tokens and
// secretName (a reference to a Secret) are not secrets.
const SECRET_WORD = String.raw`(?:pass(?:word|wd|phrase)|secret|token|credentials?|cookie|(?:api|access|private|secret|signing|encryption|master|client|account)[_.-]?key)(?:[_.-]?(?:base|value|b64|base64))?`;
export const SECRET_KEY = new RegExp(String.raw`(?:${SECRET_WORD}|authorization)$`, 'i');
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
export const SECRET_PASSES: readonly Pass[] = [
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
export const EMAIL_PASS = wholeMatch(EMAIL, 'email');
