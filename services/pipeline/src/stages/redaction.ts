import type { AttrValue, Attributes } from '@sleuth/core';
import { setAttr } from '../otlp/otlp-model';

/** What a masked secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Cheap screen run on every string: each rule below needs one of these substrings, so text without
 * any of them (nearly every log line) skips the rules entirely.
 */
const SUSPECT =
  /pass|pwd|secret|token|api[_-]?key|access[_-]?key|authorization|bearer|:\/\/|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|eyJ|-----BEGIN/i;

type Rule = [pattern: RegExp, replace: (match: string, ...groups: string[]) => string];

const quoteMasked = (value: string): string => {
  const q = value[0];
  return q === '"' || q === "'" ? `${q}${REDACTED}${q}` : REDACTED;
};

/**
 * The masking rules, most specific first. Each keeps the key, scheme or marker so the line stays
 * readable. Patterns are linear: every variable-length run is anchored at a boundary or bounded.
 */
const RULES: Rule[] = [
  // PEM private key blocks (a block cut off by truncation is masked to the end).
  [
    /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g,
    (_m, label = '') => `-----BEGIN ${label}-----${REDACTED}-----END ${label}-----`,
  ],
  // Authorization: Bearer <token> / authorization=<value>, with the scheme kept.
  [
    /\b(authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|digest|token|negotiate)\s+)?[^\s"',;]+/gi,
    (_m, key = '', scheme) => `${key}${scheme === undefined ? '' : `${scheme} `}${REDACTED}`,
  ],
  // A bearer token outside an Authorization header.
  [/\b(bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, (_m, lead = '') => `${lead}${REDACTED}`],
  // Passwords in URL userinfo: scheme://user:password@host.
  [
    /\b([a-z][a-z0-9+.-]{1,30}:\/\/[^\s:@/?#]{0,256}:)[^\s@/?#]{1,256}@/gi,
    (_m, lead = '') => `${lead}${REDACTED}@`,
  ],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, () => REDACTED],
  // GitHub tokens (classic and fine-grained).
  [/\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, () => REDACTED],
  // Slack tokens.
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, () => REDACTED],
  // JWTs: three base64url segments, the first a JSON header.
  [/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, () => REDACTED],
  // key=value, key: value and "key":"value" where the key ends in a secret word.
  [
    /(?<![\w.-])([\w.-]{0,64}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key)["']?\s*[:=]\s*)(\[REDACTED\]|"[^"]*"|'[^']*'|[^\s,;&"'}\]]+)/gi,
    (_m, lead = '', value = '') => `${lead}${quoteMasked(value)}`,
  ],
];

/**
 * Masks secrets in free text: Authorization headers and bearer tokens, password/secret/token/api key
 * assignments (`k=v`, `k: v`, `"k":"v"`), URL userinfo passwords, AWS access key ids, GitHub and
 * Slack tokens, JWTs and PEM private keys. Each becomes `[REDACTED]` with its key kept. Text that
 * contains none of the tell-tale substrings is returned as is, at the cost of one regex test.
 */
export function redactText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  let out = text;
  for (const [pattern, replace] of RULES) out = out.replace(pattern, replace);
  return out;
}

/** Attribute keys whose whole value is a secret, matched at the end of the key (`db.password`, `x-api-key`). */
const SECRET_KEY =
  /(?:password|passwd|pwd|secret|token|authorization|api[_-]?key|apikey|access[_-]?key|cookie|credentials?|private[_-]?key|session[_-]?id)$/i;

const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, boolean>();

/** Whether an attribute key names a secret (`password`, `http.request.header.authorization`, `set-cookie`). */
export function isSecretKey(key: string): boolean {
  let secret = keyCache.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, secret);
  }
  return secret;
}

/** Redacts one attribute value: strings by content, maps by key and content, arrays element-wise. */
export function redactValue(v: AttrValue): AttrValue {
  if (typeof v === 'string') return redactText(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = redactValue(v[i] ?? null);
    return v;
  }
  redactAttributes(v);
  return v;
}

/** Redacts an attribute map in place: values under secret-named keys entirely, others by content. */
export function redactAttributes(attrs: Attributes): void {
  for (const key in attrs) {
    if (!Object.hasOwn(attrs, key)) continue;
    const v = attrs[key];
    if (v === undefined) continue;
    if (isSecretKey(key)) setAttr(attrs, key, REDACTED);
    else if (typeof v === 'string') {
      const r = redactText(v);
      if (r !== v) setAttr(attrs, key, r);
    } else if (typeof v === 'object' && v !== null) redactValue(v);
  }
}
