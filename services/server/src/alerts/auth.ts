import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, UnauthorizedError } from '@sleuth/core';
import type { ReceiverConfig } from './payloads';

type Headers = Record<string, string | string[] | undefined>;

function readSecret(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${key}: ${file} cannot be read: ${(err as Error).message}`, { key });
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length < 8) throw new ConfigError(`${key}: ${file} holds fewer than 8 characters`, { key });
  return secret;
}

/** Compares two texts in time independent of where they differ (hashing first evens the lengths). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * How one receiver authenticates deliveries: a bearer token, an HMAC-SHA256 signature of the body
 * (optionally with a timestamp against replays), both, or neither when the config allows it.
 * Secrets are read once, when the server starts.
 */
export class ReceiverAuth {
  private readonly bearer: string | undefined;
  private readonly hmacSecret: string | undefined;

  constructor(
    private readonly receiver: ReceiverConfig,
    private readonly now: () => number = Date.now,
  ) {
    const i = receiver.name;
    this.bearer =
      receiver.bearerToken ??
      (receiver.bearerTokenFile === undefined
        ? undefined
        : readSecret(receiver.bearerTokenFile, `alerts.receivers[${i}].bearerTokenFile`));
    const h = receiver.hmac;
    this.hmacSecret =
      h === undefined
        ? undefined
        : (h.secret ?? readSecret(h.secretFile ?? '', `alerts.receivers[${i}].hmac.secretFile`));
  }

  /**
   * The checks that need no body (the bearer token), run before the body is read so an
   * unauthenticated sender cannot make the server read megabytes. Throws UnauthorizedError (401).
   */
  checkHeaders(headers: Headers): void {
    if (this.bearer !== undefined) {
      const auth = header(headers, 'authorization');
      if (auth === undefined)
        throw new UnauthorizedError(`receiver ${this.receiver.name} needs a bearer token`);
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (!m?.[1] || !sameSecret(m[1], this.bearer)) {
        throw new UnauthorizedError(`the bearer token is not valid for receiver ${this.receiver.name}`);
      }
    }
    if (this.receiver.hmac !== undefined && header(headers, this.receiver.hmac.header) === undefined) {
      throw new UnauthorizedError(
        `receiver ${this.receiver.name} needs a signature in ${this.receiver.hmac.header}`,
      );
    }
  }

  /** The signature over the body, when the receiver has an HMAC secret. Throws UnauthorizedError. */
  checkBody(headers: Headers, body: Buffer): void {
    const h = this.receiver.hmac;
    if (h !== undefined && this.hmacSecret !== undefined) {
      const given = header(headers, h.header)
        ?.trim()
        .replace(/^sha256=/i, '');
      if (!given)
        throw new UnauthorizedError(`receiver ${this.receiver.name} needs a signature in ${h.header}`);
      let signed: Buffer = body;
      if (h.timestampHeader !== undefined) {
        const ts = header(headers, h.timestampHeader)?.trim();
        const seconds = ts !== undefined && /^\d{1,12}$/.test(ts) ? Number(ts) : undefined;
        if (seconds === undefined) {
          throw new UnauthorizedError(
            `receiver ${this.receiver.name} needs Unix seconds in ${h.timestampHeader}`,
          );
        }
        if (Math.abs(this.now() / 1000 - seconds) > h.maxSkewSeconds) {
          throw new UnauthorizedError(
            `${h.timestampHeader} is more than ${h.maxSkewSeconds} s from the server's clock (a replay, or a clock off)`,
          );
        }
        signed = Buffer.concat([Buffer.from(`${ts}:`), body]);
      }
      const expected = createHmac('sha256', this.hmacSecret).update(signed).digest('hex');
      if (
        !/^[0-9a-f]{64}$/i.test(given) ||
        !timingSafeEqual(Buffer.from(given.toLowerCase()), Buffer.from(expected))
      ) {
        throw new UnauthorizedError(`the signature in ${h.header} does not match the body`);
      }
    }
  }
}
