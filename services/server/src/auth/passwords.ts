import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '@sleuth/core';

/**
 * Password hashing with scrypt from Node's OpenSSL, at OWASP's recommended cost (N=2^17, r=8,
 * p=1: about 128 MiB and a few hundred milliseconds per hash). The parameters are stored with
 * each hash so they can be raised later without locking anyone out. At most two hashes run at
 * once, so a burst of sign-ins cannot take the server's memory.
 */

export interface HashCost {
  /** log2 of N. */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: HashCost = { ln: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const MAX_CONCURRENT = 2;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, cost: HashCost): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const opts: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 16 * 1024 * 1024 };
  return limited(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_BYTES, opts, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}

/** Throws ValidationError naming what is wrong with a new password. */
export function checkNewPassword(password: string, username: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw new ValidationError('the password must not contain the user name');
  }
}

/** `scrypt$ln=17,r=8,p=1$SALT$HASH` (base64url). */
export async function hashPassword(password: string, cost: HashCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{40,})$/;

/** Whether `password` matches `stored`; false for a malformed hash. Compares in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.ln < 10 || cost.ln > 20 || cost.r > 32 || cost.p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real check would on an unknown user name, so response times do not tell
 * which user names exist.
 */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword('sleuth: no such user, no such password');
  await verifyPassword(password, await dummy);
  return false;
}
