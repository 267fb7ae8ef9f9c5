/**
 * A structural check of a snappy block (the format remote write 1.0 sends: a varint length, then
 * literals and back-references), made before snappyjs inflates it. snappyjs 0.7 trusts its input:
 * a literal whose 4-byte length reads as negative moves its read position backwards and never
 * ends, a back-reference past the declared length writes nothing, and data shorter than the length
 * header says is padded with zeros. Walking the elements once, without copying anything, catches
 * all of it, and spares a 6-byte body that declares 32 MB the 32 MB allocation.
 */

/** Bytes of the length header (a varint of at most 5 bytes); -1 when there is no complete one. */
function headerBytes(block: Uint8Array): number {
  for (let i = 0; i < 5 && i < block.length; i++) if ((block[i] ?? 0) < 0x80) return i + 1;
  return -1;
}

/** An unsigned little-endian integer of `n` bytes (1 to 4) at `at`. */
function uintLE(block: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (block[at + i] ?? 0);
  return v;
}

/**
 * Why `block` is not a snappy block inflating to exactly `length` bytes (the length its header
 * declares), or `undefined` when it is one. Linear in the block's size; allocates nothing.
 */
export function snappyBlockProblem(block: Uint8Array, length: number): string | undefined {
  let pos = headerBytes(block);
  if (pos < 0) return 'its length header is invalid';
  let out = 0;
  while (pos < block.length) {
    const tag = block[pos] ?? 0;
    pos++;
    let n: number;
    if ((tag & 3) === 0) {
      n = (tag >>> 2) + 1;
      if (n > 60) {
        const bytes = n - 60;
        if (pos + bytes > block.length) return `a literal's length runs past the end at byte ${pos}`;
        n = uintLE(block, pos, bytes) + 1;
        pos += bytes;
      }
      if (pos + n > block.length) return `a literal of ${n} bytes runs past the end at byte ${pos}`;
      pos += n;
    } else {
      const extra = (tag & 3) === 1 ? 1 : (tag & 3) === 2 ? 2 : 4;
      if (pos + extra > block.length) return `a copy runs past the end at byte ${pos}`;
      let offset: number;
      if (extra === 1) {
        n = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) + (block[pos] ?? 0);
      } else {
        n = (tag >>> 2) + 1;
        offset = uintLE(block, pos, extra);
      }
      pos += extra;
      if (offset === 0 || offset > out) return `a copy at byte ${pos - extra - 1} reaches before the start`;
    }
    out += n;
    if (out > length) return `it inflates to more than the ${length} bytes its header declares`;
  }
  return out < length ? `it inflates to ${out} bytes, not the ${length} its header declares` : undefined;
}
