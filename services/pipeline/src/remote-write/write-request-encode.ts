import protobuf from 'protobufjs';
import { compress } from 'snappyjs';

/** A sample value that encodes as the staleness marker. */
export const STALE = Symbol('stale marker');

/** One series to encode: labels as sent (`__name__` included), samples as [epoch ms, value]. */
export interface SeriesToWrite {
  labels: Record<string, string> | [string, string][];
  samples: [timeMs: number, value: number | typeof STALE][];
  /** Exemplars and native histograms to send along (empty messages; only their presence matters). */
  exemplars?: number;
  histograms?: number;
}

/** One metadata entry; `type` is the proto enum (1 counter, 2 gauge, 3 histogram, 5 summary ...). */
export interface MetadataToWrite {
  type: number;
  family: string;
  help?: string;
  unit?: string;
}

/** The bits of Prometheus's staleness marker, a NaN that says "this series ended". */
export const STALE_MARKER_BITS = 0x7ff0000000000002n;

const staleBytes = Buffer.alloc(8);
staleBytes.writeBigUInt64LE(STALE_MARKER_BITS);

function sample(w: protobuf.Writer, timeMs: number, value: number | typeof STALE): void {
  w.uint32((2 << 3) | 2).fork();
  if (value === STALE) {
    w.uint32((1 << 3) | 1);
    w.fixed32(staleBytes.readUInt32LE(0)).fixed32(staleBytes.readUInt32LE(4));
  } else w.uint32((1 << 3) | 1).double(value);
  w.uint32((2 << 3) | 0).int64(timeMs);
  w.ldelim();
}

/**
 * Encodes a remote write 1.0 `WriteRequest`, field by field as Prometheus's remote.proto numbers
 * them, without compression. For tests, benchmarks and tools that send to the receiver.
 */
export function encodeWriteRequestProto(
  series: readonly SeriesToWrite[],
  metadata: readonly MetadataToWrite[] = [],
): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    const labels = Array.isArray(s.labels) ? s.labels : Object.entries(s.labels);
    for (const [name, value] of labels) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(name);
      w.uint32((2 << 3) | 2).string(value);
      w.ldelim();
    }
    for (const [timeMs, value] of s.samples) sample(w, timeMs, value);
    for (let i = 0; i < (s.exemplars ?? 0); i++) w.uint32((3 << 3) | 2).bytes(new Uint8Array(0));
    for (let i = 0; i < (s.histograms ?? 0); i++) w.uint32((4 << 3) | 2).bytes(new Uint8Array(0));
    w.ldelim();
  }
  for (const m of metadata) {
    w.uint32((3 << 3) | 2).fork();
    w.uint32((1 << 3) | 0).int32(m.type);
    w.uint32((2 << 3) | 2).string(m.family);
    if (m.help !== undefined) w.uint32((4 << 3) | 2).string(m.help);
    if (m.unit !== undefined) w.uint32((5 << 3) | 2).string(m.unit);
    w.ldelim();
  }
  return w.finish();
}

/** A remote write 1.0 body as Prometheus sends it: the WriteRequest, snappy-compressed (block format). */
export function encodeWriteRequest(
  series: readonly SeriesToWrite[],
  metadata: readonly MetadataToWrite[] = [],
): Buffer {
  return Buffer.from(compress(encodeWriteRequestProto(series, metadata)));
}
