import fc from 'fast-check';

/**
 * Hostile building blocks shared by the fuzz properties: strings a sender should never send (lone
 * surrogates, control characters, very long runs), numbers at and past every edge, values of the
 * wrong type, deep nesting, and mutations of valid bytes and of valid JSON trees.
 */

/**
 * Any UTF-16 code units, lone surrogates included. (fast-check's own `unit: 'binary'` spends 0.6 s
 * indexing every code point when first built, in every test file.)
 */
export const anyUtf16: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000', '\uFFFE'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 20,
});

/** Short strings: everyday text, any UTF-16 (lone surrogates included), control characters. */
export const shortWildString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  anyUtf16,
  fc.constantFrom('', ' ', '\u0000', '\n', '\r\n', '\uFFFD', '\uD800', '\uDC00x', '__proto__', 'constructor'),
);

/** Strings: the short ones above, and long runs of one character. */
export const wildString: fc.Arbitrary<string> = fc.oneof(
  shortWildString,
  fc
    .tuple(fc.constantFrom('a', 'é', '😀', ' ', '\n', '"', '\\', '{'), fc.integer({ min: 100, max: 3000 }))
    .map(([c, n]) => c.repeat(n)),
);

/** Numbers: small and huge integers, every double including NaN, ±Infinity and -0. */
export const wildNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 64,
    -(2 ** 63),
    1e21,
    1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
  ),
);

/** Number-like strings: decimal texts past every integer width, signs, exponents, names of non-numbers. */
export const numericString: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom(
    '18446744073709551615',
    '18446744073709551616',
    '99999999999999999999',
    '999999999999999999999',
    '-1',
    '0',
    '00',
    '1e3',
    '0x10',
    ' 1',
    'NaN',
    'Infinity',
    '-Infinity',
    '',
  ),
);

/** A scalar of any JSON type. */
export const wildScalar: fc.Arbitrary<unknown> = fc.oneof(
  wildString,
  wildNumber.filter((n) => Number.isFinite(n)),
  numericString,
  fc.boolean(),
  fc.constant(null),
);

/** A JSON value nested 1 to 150 levels deep in arrays or objects (past every depth limit, 100). */
export const deepJson: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 1, max: 150 }), fc.constantFrom('array', 'object', 'anyValue'), wildScalar)
  .map(([depth, shape, leaf]) => {
    let v: unknown = shape === 'anyValue' ? { stringValue: leaf } : leaf;
    for (let i = 0; i < depth; i++) {
      if (shape === 'array') v = [v];
      else if (shape === 'object') v = { a: v };
      else v = { arrayValue: { values: [v] } };
    }
    return v;
  });

/** Any JSON value of a few levels, scalars drawn from the wild ones. */
export const wildJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  wildScalar,
  fc.jsonValue({ maxDepth: 4 }),
  deepJson,
  fc.array(wildScalar, { maxLength: 5 }),
  fc.dictionary(wildString, wildScalar, { maxKeys: 5 }),
);

/** One edit of a byte string. */
export type ByteEdit =
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'varint'; at: number; count: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  // A run of 0xff: an unterminated varint, or a length pointing far past the buffer.
  fc.record({ op: fc.constant('varint' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 11 }) }),
);

function applyEdit(bytes: Uint8Array, e: ByteEdit): Uint8Array {
  const at = bytes.length === 0 ? 0 : e.at % (bytes.length + 1);
  switch (e.op) {
    case 'set': {
      if (bytes.length === 0) return bytes;
      const out = Uint8Array.from(bytes);
      out[at % bytes.length] = e.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.count)]);
    case 'truncate':
      return bytes.subarray(0, at);
    case 'varint':
      return Buffer.concat([bytes.subarray(0, at), new Uint8Array(e.count).fill(0xff), bytes.subarray(at)]);
  }
}

/** One to four edits of a byte string: flipped bytes, insertions, deletions, truncation, bad varints. */
export const byteEdits: fc.Arbitrary<ByteEdit[]> = fc.array(byteEdit, { minLength: 1, maxLength: 4 });

/** `bytes` with `edits` applied, in order. */
export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  return edits.reduce(applyEdit, bytes);
}

/** Valid bytes with one to four edits. */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, byteEdits).map(([bytes, edits]) => applyByteEdits(bytes, edits));
}

/** Random bytes, some of them valid UTF-8 text, some JSON-looking. */
export const wildBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  wildString.map((s) => Buffer.from(s)),
  wildJson.map((v) => Buffer.from(JSON.stringify(v))),
);

/** One replacement in a JSON tree: the node at `at` (in walk order) becomes `value` or goes away. */
type JsonEdit = { at: number; value: unknown; remove: boolean };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  at: fc.nat(),
  value: fc.oneof(wildScalar, wildJson, deepJson, fc.constant({}), fc.constant([])),
  remove: fc.boolean(),
});

/** Every (container, key) pair of a JSON tree, parents before children. */
function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push([node, i]);
        stack.push(v);
      });
    } else if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        out.push([o, k]);
        stack.push(o[k]);
      }
    }
  }
  return out;
}

function applyJsonEdit(root: unknown, e: JsonEdit): unknown {
  const all = slots(root);
  const slot = all[e.at % Math.max(1, all.length)];
  if (slot === undefined) return e.value;
  const [container, key] = slot;
  if (Array.isArray(container) && typeof key === 'number') {
    if (e.remove) container.splice(key, 1);
    else container[key] = e.value;
  } else if (!Array.isArray(container) && typeof key === 'string') {
    if (e.remove) delete container[key];
    else container[key] = e.value;
  }
  return root;
}

/** A valid JSON tree with one to three nodes replaced by wild values or removed. */
export function mutatedJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(jsonEdit, { minLength: 1, maxLength: 3 }))
    .map(([tree, edits]) =>
      edits.reduce(
        (t, e) => applyJsonEdit(t, { ...e, value: structuredClone(e.value) }),
        structuredClone(tree),
      ),
    );
}

/** `tree` with leaves swapped for their type's emptiest value ('', 0, false, null) where `pick` says. */
function blank(tree: unknown, pick: () => boolean): unknown {
  if (Array.isArray(tree)) return tree.map((v) => blank(v, pick));
  if (typeof tree === 'object' && tree !== null) {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, blank(v, pick)]));
  }
  if (!pick()) return tree;
  return typeof tree === 'string'
    ? ''
    : typeof tree === 'number'
      ? 0
      : typeof tree === 'boolean'
        ? false
        : null;
}

/**
 * A valid JSON tree with about a fifth of its leaves emptied: the empty name, the zero time, the
 * false flag, the values a decoder forgets to tell from absent ones.
 */
export function blankedJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.integer()).map(([tree, seed]) => {
    let state = seed >>> 0;
    return blank(tree, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % 5 === 0;
    });
  });
}

/** Lowercase hex of `bytes` random bytes (a trace or span id). */
export function hexId(bytes: number): fc.Arbitrary<string> {
  return fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
}

/** Well-formed text (whole code points, so it survives UTF-8), short. */
export const text: fc.Arbitrary<string> = fc.string({ unit: 'grapheme', maxLength: 16 });
