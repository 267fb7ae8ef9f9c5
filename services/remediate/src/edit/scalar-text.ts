import { parse, Scalar } from 'yaml';

/** Words YAML 1.1 or 1.2 reads as something other than a string when plain. */
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/**
 * The text of a new scalar value, in the style of the value it replaces: double or single quotes
 * stay, a plain value stays plain when plain text reads back as the same value. Numbers are
 * always plain. Returns the text and the value YAML will read from it.
 */
export function scalarText(
  value: string | number,
  old: Scalar | undefined,
  numberOk = false,
): { text: string; value: unknown } {
  if (typeof value === 'number') return { text: String(value), value };
  const style = old?.type;
  let text: string;
  if (style === Scalar.QUOTE_SINGLE) text = `'${value.replace(/'/g, "''")}'`;
  else if (style === Scalar.QUOTE_DOUBLE || !plainSafe(value, old, numberOk)) text = JSON.stringify(value);
  else text = value;
  const read: unknown = parse(text);
  return { text, value: read };
}

/**
 * Plain text is safe when it reads back as the same string, or as a number when the field takes
 * one (a quantity: `cpu: 500m` → `cpu: 1`) or the old value was a plain number too.
 */
function plainSafe(value: string, old: Scalar | undefined, numberOk: boolean): boolean {
  if (value === '' || RESERVED.test(value) || !/^[A-Za-z0-9./_-][A-Za-z0-9./_+-]*$/.test(value)) return false;
  let read: unknown;
  try {
    read = parse(value);
  } catch {
    return false;
  }
  if (read === value) return true;
  return typeof read === 'number' && String(read) === value && (numberOk || typeof old?.value === 'number');
}

/** A map key as YAML text: plain when it is a simple name, else double-quoted. */
export function keyText(key: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(key) && !RESERVED.test(key) && parse(key) === key
    ? key
    : JSON.stringify(key);
}
