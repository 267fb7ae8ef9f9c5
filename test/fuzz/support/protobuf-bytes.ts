import fc from 'fast-check';
import { anyUtf16 } from './arbitraries';

/**
 * Bytes that look like protobuf to a reader: tags of small field numbers with every wire type,
 * varints (some never ending), fixed-width values, length-delimited fields whose length tells the
 * truth or lies, nested messages and groups, open and closed. What a decoder reading field by field
 * meets first.
 */

/** A base-128 varint. */
export function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = n < 0n ? BigInt.asUintN(64, n) : n;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

const tag = (field: number, wire: number): number[] => varint(BigInt((field << 3) | wire));
const fieldNumber = fc.integer({ min: 0, max: 6 });

const fields = fc.letrec<{ field: number[]; message: number[] }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fieldNumber, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }))
      .map(([f, v]) => [...tag(f, 0), ...varint(v)]),
    fc
      .tuple(fieldNumber, fc.uint8Array({ minLength: 8, maxLength: 8 }))
      .map(([f, b]) => [...tag(f, 1), ...b]),
    fc
      .tuple(fieldNumber, fc.uint8Array({ minLength: 4, maxLength: 4 }))
      .map(([f, b]) => [...tag(f, 5), ...b]),
    fc
      .tuple(
        fieldNumber,
        fc.oneof(tie('message'), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 })),
      )
      .map(([f, body]) => [...tag(f, 2), ...varint(BigInt(body.length)), ...body]),
    fc.tuple(fieldNumber, anyUtf16).map(([f, s]) => {
      const b = [...Buffer.from(s)];
      return [...tag(f, 2), ...varint(BigInt(b.length)), ...b];
    }),
    // A length that is not the length of what follows.
    fc
      .tuple(fieldNumber, fc.bigInt({ min: 0n, max: 2n ** 35n }), fc.array(fc.nat(255), { maxLength: 8 }))
      .map(([f, len, body]) => [...tag(f, 2), ...varint(len), ...body]),
    fc
      .tuple(fieldNumber, tie('message'), fc.boolean())
      .map(([f, inner, closed]) => [...tag(f, 3), ...inner, ...(closed ? tag(f, 4) : [])]),
    fc.tuple(fieldNumber, fc.integer({ min: 4, max: 7 })).map(([f, wire]) => tag(f, wire)),
    // A varint that never ends.
    fc.integer({ min: 1, max: 11 }).map((n) => new Array<number>(n).fill(0xff)),
  ),
  message: fc.array(tie('field'), { maxLength: 6 }).map((fs) => fs.flat()),
}));

/** A protobuf-like message of random fields (see above). */
export const protobufLike: fc.Arbitrary<Uint8Array> = fields.message.map((b) => Uint8Array.from(b));
