/**
 * What usually comes next: a first-order model of a series over value buckets. The value range
 * seen while learning is cut into `buckets` equal buckets (values outside it get buckets of the
 * same width beyond it); the model counts how often each bucket follows each other bucket and
 * scores a new value by how rarely its bucket has followed the previous one. A value that is
 * in range but out of sequence (a daily peak at night, a plateau where the series always
 * moves) is surprising here even though no threshold on the value would catch it.
 *
 * Memory is fixed: at most `capacity` distinct buckets are tracked (a `capacity`² count table);
 * when a new bucket arrives with the table full, the bucket used least recently is forgotten.
 */
export interface TransitionModelOptions {
  /** Buckets across the learned range. Fewer buckets: coarser patterns, less noise. */
  buckets: number;
  /** Distinct buckets tracked at once, 3 to 127 (memory: capacity² 32-bit counts). */
  capacity: number;
  /** How much a transition into a neighbouring bucket counts as expected (0..1). */
  neighbourWeight: number;
}

export const DEFAULT_TRANSITION_OPTIONS: TransitionModelOptions = {
  buckets: 10,
  capacity: 24,
  neighbourWeight: 0.5,
};

/** Buckets looked up by array index rather than hashing: a wide band around the learned range. */
const DIRECT_LOW = -32;
const DIRECT = 128;

/** Counts are halved when a row's largest reaches this, so they never lose precision. */
const COUNT_CEILING = 1e6;

export class TransitionModel {
  private lo = 0;
  private width = 1;
  private readonly slots = new Map<number, number>();
  /** Slots of buckets DIRECT_LOW .. DIRECT_LOW + DIRECT - 1 (-1: none): the common case, no hashing. */
  private readonly direct = new Int8Array(DIRECT).fill(-1);
  private readonly bucketOf: Float64Array;
  private readonly lastUsed: Float64Array;
  private readonly counts: Float32Array;
  private readonly rowMax: Float32Array;
  private prev = -1;
  private lastRow = -1;
  private clock = 0;

  constructor(private readonly opts: TransitionModelOptions = DEFAULT_TRANSITION_OPTIONS) {
    const c = opts.capacity;
    if (!Number.isInteger(c) || c < 3 || c > 127) {
      throw new RangeError(`transition model capacity must be an integer from 3 to 127, not ${c}`);
    }
    this.bucketOf = new Float64Array(c);
    this.lastUsed = new Float64Array(c);
    this.counts = new Float32Array(c * c);
    this.rowMax = new Float32Array(c);
  }

  /** Bytes held by this model, whatever the series' length. */
  get bytes(): number {
    // The slot map holds at most `capacity` entries (about 16 bytes each).
    return (
      this.counts.byteLength +
      this.rowMax.byteLength +
      this.bucketOf.byteLength * 2 +
      this.direct.byteLength +
      this.opts.capacity * 16
    );
  }

  /** The bucket range as values: `[low, high)` of bucket `b`. */
  bucketRange(b: number): [number, number] {
    return [this.lo + b * this.width, this.lo + (b + 1) * this.width];
  }

  /**
   * Sets the buckets from the values seen while learning and counts their transitions. Returns
   * the surprise of each of those transitions under the counts of all of them: what ordinary
   * surprise looks like for this series, to calibrate against.
   */
  calibrate(values: ArrayLike<number>): number[] {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.lo = Number.isFinite(lo) ? lo : 0;
    this.width = Number.isFinite(hi) ? Math.max((hi - lo) / this.opts.buckets, 1e-9) : 1;
    for (let i = 0; i < values.length; i++) this.learn(this.bucket(values[i] as number));
    const surprises: number[] = [];
    for (let i = 1; i < values.length; i++) {
      const from = this.slotOf(this.bucket(values[i - 1] as number));
      if (from !== undefined) surprises.push(this.surprise(from, this.bucket(values[i] as number)));
    }
    return surprises;
  }

  /**
   * How surprising `value` is after the previous one (0: the most common successor, 1: never
   * seen after it), then learns the transition.
   */
  next(value: number): number {
    const b = this.bucket(value);
    this.lastRow = this.prev;
    const surprise = this.prev >= 0 ? this.surprise(this.prev, b) : 1;
    this.learn(b);
    return surprise;
  }

  /**
   * The values that usually follow the value before the last `next` one (buckets with at least
   * a fifth of the top count), for explanations; undefined before any transition is known.
   */
  expectedRange(): [number, number] | undefined {
    const row = this.lastRow;
    const max = row >= 0 ? (this.rowMax[row] as number) : 0;
    if (!(max > 0)) return undefined;
    const c = this.opts.capacity;
    let low = Infinity;
    let high = -Infinity;
    for (const [bucket, s] of this.slots) {
      if ((this.counts[row * c + s] as number) >= 0.2 * max) {
        low = Math.min(low, bucket);
        high = Math.max(high, bucket);
      }
    }
    return low <= high ? [this.bucketRange(low)[0], this.bucketRange(high)[1]] : undefined;
  }

  /** 1 - how often bucket `b` (or, partly, a neighbour) followed slot `row`, relative to the most common. */
  private surprise(row: number, b: number): number {
    const max = this.rowMax[row] as number;
    if (!(max > 0)) return 1;
    const seen =
      this.count(row, b) + this.opts.neighbourWeight * (this.count(row, b - 1) + this.count(row, b + 1));
    return 1 - Math.min(1, seen / max);
  }

  /** How often bucket `b` followed slot `row` (no closure: this runs for every point). */
  private count(row: number, b: number): number {
    const s = this.slotOf(b);
    return s === undefined ? 0 : (this.counts[row * this.opts.capacity + s] as number);
  }

  /** The slot of a bucket: an array lookup near the learned range, the map beyond it. */
  private slotOf(bucket: number): number | undefined {
    if (bucket >= DIRECT_LOW && bucket < DIRECT_LOW + DIRECT) {
      const s = this.direct[bucket - DIRECT_LOW] as number;
      return s < 0 ? undefined : s;
    }
    return this.slots.get(bucket);
  }

  private bucket(value: number): number {
    return Math.floor((value - this.lo) / this.width);
  }

  private learn(bucket: number): void {
    const slot = this.slotFor(bucket);
    this.clock++;
    this.lastUsed[slot] = this.clock;
    if (this.prev >= 0) {
      const c = this.opts.capacity;
      const i = this.prev * c + slot;
      const n = (this.counts[i] as number) + 1;
      this.counts[i] = n;
      if (n > (this.rowMax[this.prev] as number)) this.rowMax[this.prev] = n;
      if (n >= COUNT_CEILING) this.halveRow(this.prev);
    }
    this.prev = slot;
  }

  private slotFor(bucket: number): number {
    const known = this.slotOf(bucket);
    if (known !== undefined) return known;
    const c = this.opts.capacity;
    let slot = this.slots.size;
    if (slot >= c) {
      // Full: forget the bucket used least recently (never the previous one, still needed).
      slot = this.prev === 0 ? 1 : 0;
      for (let s = slot + 1; s < c; s++) {
        if (s !== this.prev && (this.lastUsed[s] as number) < (this.lastUsed[slot] as number)) slot = s;
      }
      const gone = this.bucketOf[slot] as number;
      this.slots.delete(gone);
      if (gone >= DIRECT_LOW && gone < DIRECT_LOW + DIRECT) this.direct[gone - DIRECT_LOW] = -1;
      this.counts.fill(0, slot * c, slot * c + c);
      for (let r = 0; r < c; r++) {
        if (this.counts[r * c + slot] !== 0) {
          this.counts[r * c + slot] = 0;
          this.recomputeRowMax(r);
        }
      }
      this.rowMax[slot] = 0;
    }
    this.slots.set(bucket, slot);
    if (bucket >= DIRECT_LOW && bucket < DIRECT_LOW + DIRECT) this.direct[bucket - DIRECT_LOW] = slot;
    this.bucketOf[slot] = bucket;
    return slot;
  }

  private recomputeRowMax(r: number): void {
    const c = this.opts.capacity;
    let m = 0;
    for (let s = 0; s < c; s++) m = Math.max(m, this.counts[r * c + s] as number);
    this.rowMax[r] = m;
  }

  private halveRow(r: number): void {
    const c = this.opts.capacity;
    for (let s = 0; s < c; s++) this.counts[r * c + s] = (this.counts[r * c + s] as number) / 2;
    this.rowMax[r] = (this.rowMax[r] as number) / 2;
  }
}
