import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A sortable unique id: 10 characters of millisecond time then 16 random characters (Crockford
 * base32, lower case), prefixed with a kind such as `inc_` or `anm_`. Lexical order follows time.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let time = '';
  let t = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}
