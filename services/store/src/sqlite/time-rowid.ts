import { ValidationError, type EpochMs } from '@sleuth/core';

/**
 * Time-ordered rowids for the log and span tables: `rowid = floor(timeMs) * 2^20 + sequence`, so
 * rowid order is time order (then arrival order within a millisecond). A time window is a rowid
 * range, FTS5 can walk it newest-first and stop at the limit, and a page cursor is a rowid.
 *
 * Rowids exceed 2^53, so they are BigInts in JS. The largest time that fits a signed 64-bit rowid
 * is 2^43 ms (year 2248).
 */
export const SEQ_BITS = 20n;
export const SEQ_SPAN = 1n << SEQ_BITS;
const SEQ_MAX = Number(SEQ_SPAN) - 1;
/** Exclusive upper bound of encodable milliseconds (the rowids of its millisecond stay below 2^63 - 1). */
export const MAX_ENCODABLE_MS = 2 ** 43 - 1;
/** The largest SQLite rowid. */
export const MAX_ROWID = (1n << 63n) - 1n;

/** The rowid of the `seq`-th record of millisecond `ms` (an integer). */
export function rowidOf(ms: number, seq: number): bigint {
  return (BigInt(ms) << SEQ_BITS) + BigInt(seq);
}

/** The millisecond a rowid was allocated in. */
export function msOfRowid(rowid: bigint): number {
  return Number(rowid >> SEQ_BITS);
}

/** The first rowid of millisecond `ms`. */
export function firstRowidOf(ms: number): bigint {
  return BigInt(ms) << SEQ_BITS;
}

/**
 * The rowid range `[lo, hi)` that holds every record with `fromMs <= timeMs < toMs`. With a
 * fractional bound the range is widened to whole milliseconds; `exactFrom`/`exactTo` say whether
 * the caller must still compare the exact time.
 */
export function rowidWindow(
  fromMs: EpochMs | undefined,
  toMs: EpochMs | undefined,
): { lo: bigint; hi: bigint; exactFrom: boolean; exactTo: boolean } {
  const from = fromMs === undefined ? 0 : Math.min(Math.floor(fromMs), MAX_ENCODABLE_MS);
  const to = toMs === undefined ? MAX_ENCODABLE_MS : Math.min(Math.ceil(toMs), MAX_ENCODABLE_MS);
  return {
    lo: firstRowidOf(from),
    hi: to >= MAX_ENCODABLE_MS ? MAX_ROWID : firstRowidOf(to),
    exactFrom: fromMs !== undefined && !Number.isInteger(fromMs),
    exactTo: toMs !== undefined && !Number.isInteger(toMs),
  };
}

/** Checks that a record time can be encoded; the message names the record. */
export function assertEncodable(timeMs: number, what: string): void {
  if (!Number.isFinite(timeMs) || timeMs < 0 || timeMs >= MAX_ENCODABLE_MS) {
    throw new ValidationError(`${what}: time ${timeMs} is not a valid epoch-millisecond timestamp`);
  }
}

/** How an allocator asks the table for the highest rowid used in a millisecond. */
export type MaxRowidInMs = (ms: number) => bigint | undefined;

/**
 * Hands out rowids per millisecond. The in-memory sequence is only a hint: after a restart, or
 * when a late record lands in a millisecond already written, the insert conflicts and the caller
 * asks `afterConflict` for the next free rowid (read from the table). When a millisecond's 2^20
 * sequence numbers are used up, rowids spill into the next millisecond; the caller then stores
 * the exact time beside the row.
 */
export class RowidAllocator {
  private readonly next = new Map<number, number>();
  /** The millisecond of the rowid last handed out (differs from the asked one after a spill). */
  lastMs = 0;

  constructor(
    private readonly maxRowidInMs: MaxRowidInMs,
    private readonly maxTracked = 100_000,
  ) {}

  /** A candidate rowid for a record in millisecond `ms`. */
  allocate(ms: number): bigint {
    let slot = ms;
    let seq = this.next.get(slot) ?? 0;
    while (seq > SEQ_MAX) {
      slot += 1;
      seq = this.next.get(slot) ?? 0;
    }
    this.next.set(slot, seq + 1);
    this.lastMs = slot;
    return rowidOf(slot, seq);
  }

  /** The rowid to retry with after `rowid` turned out to be taken. */
  afterConflict(rowid: bigint): bigint {
    const ms = msOfRowid(rowid);
    const max = this.maxRowidInMs(ms);
    const seq = max === undefined ? Number(rowid - firstRowidOf(ms)) + 1 : Number(max - firstRowidOf(ms)) + 1;
    this.next.set(ms, seq);
    return this.allocate(ms);
  }

  /** Forgets the hints when too many milliseconds are tracked; conflicts then re-learn them. */
  trim(): void {
    if (this.next.size > this.maxTracked) this.next.clear();
  }
}
