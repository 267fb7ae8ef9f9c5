/**
 * Pre-encoded OTLP protobuf requests whose records are restamped per send, so a benchmark's server
 * sees what a live source sends (fresh, nearly ordered times) without encoding every request anew.
 */

/** A pre-encoded request and where its records' timeUnixNano values sit. */
export interface Payload {
  bytes: Buffer;
  timeOffsets: number[];
}

/**
 * Finds the byte offset of each record's `time_unix_nano` (field 1, fixed64: tag 0x09 and 8
 * little-endian bytes) in an encoded request, by searching for the values it was encoded with.
 */
export function timeOffsets(bytes: Buffer, nanos: bigint[]): number[] {
  const needle = Buffer.alloc(9);
  needle[0] = 0x09;
  let from = 0;
  return nanos.map((n) => {
    needle.writeBigUInt64LE(n, 1);
    const at = bytes.indexOf(needle, from);
    if (at < 0) throw new Error('could not find an encoded timeUnixNano to restamp');
    from = at + 9;
    return at + 1;
  });
}

/** The request to send now: a copy of the payload with its records stamped over the last second, in order. */
export function stamped(p: Payload): Buffer {
  const out = Buffer.from(p.bytes);
  const end = BigInt(Date.now()) * 1_000_000n;
  const n = p.timeOffsets.length;
  const stepNs = 1_000_000_000n / BigInt(Math.max(n, 1));
  p.timeOffsets.forEach((at, i) => out.writeBigUInt64LE(end - BigInt(n - i) * stepNs, at));
  return out;
}
