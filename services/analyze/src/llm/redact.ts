import { NameTable } from './name-masker';
import {
  EMAIL_PASS,
  marker,
  SECRET_KEY,
  SECRET_PASSES,
  type Found,
  type Pass,
  type SecretKind,
} from './secret-patterns';

export type { SecretKind } from './secret-patterns';

/**
 * What Sleuth sends to an LLM (tool results holding log lines, Kubernetes events and object specs,
 * the user's question) passes through a {@link Redactor} first, so credentials never leave. A secret
 * is replaced where it sits by `[REDACTED:<kind>]` and the text around it stays as it was: an SRE (and
 * the model) must still be able to read the log line. Detection errs toward redacting in structured
 * text (`key=value`, JSON, YAML) and toward keeping prose, where a secret word is usually just a word.
 */
export interface RedactorOptions {
  /** Also redact email addresses: personal data rather than credentials, so off unless asked for. */
  emails: boolean;
  /**
   * Replace the names given to {@link Redactor.addNames} by placeholders `⟨res-N⟩` (U+27E8, U+27E9:
   * characters no log line or manifest uses), which {@link Redactor.restore} turns back into names.
   */
  anonymise: boolean;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const SECRET_TYPE = /^(?:Opaque$|(?:kubernetes\.io|bootstrap\.kubernetes\.io|helm\.sh)\/)/;

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
