/**
 * A streaming anomaly detector for one metric series, with bounded memory: a window of recent
 * values gives a robust baseline (median and MAD); each new point is scored by how far it lies
 * from that baseline, alone (spikes, dips) and as the mean of the last few points (level
 * shifts), in units of the series' own spread. Repeats of an alarm already raised score lower,
 * so a long anomaly is reported when it starts rather than on every point.
 */
export interface RobustDetectorOptions {
  /** Points in the baseline window. */
  window: number;
  /** Points before any score (the baseline is learning). */
  warmup: number;
  /** Points in the short mean that reveals level shifts. */
  shortWindow: number;
  /** Distance (in robust standard deviations) that maps to a score of 0.5. */
  halfScoreAt: number;
  /** Points after a high score during which similar scores are damped. */
  suppress: number;
  /** Points of deviation history that calibrate how unusual a deviation is for this series. */
  historyWindow: number;
  /** Points averaged before comparing with that history. */
  averageWindow: number;
}

export const DEFAULT_ROBUST_OPTIONS: RobustDetectorOptions = {
  window: 300,
  warmup: 60,
  shortWindow: 6,
  halfScoreAt: 6,
  suppress: 300,
  historyWindow: 500,
  averageWindow: 8,
};

export interface PointScore {
  /** 0..1: how unusual the point is given the recent past. */
  score: number;
  /** The baseline the point was compared with. */
  expected: number;
  /** The spread around it (robust standard deviation). */
  spread: number;
  /** Signed distance of the point from the baseline, in spreads. */
  deviation: number;
}

/** Complementary error function (Abramowitz-Stegun 7.1.26, error below 1.5e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-z * z);
  return x >= 0 ? y : 2 - y;
}

/** Index of the first element >= v in a sorted array. */
function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RobustDetector {
  private readonly ring: number[];
  private readonly sorted: number[] = [];
  private head = 0;
  private count = 0;
  private seen = 0;
  private readonly recent: number[] = [];
  private lastAlarm = -Infinity;
  private lastAlarmScore = 0;
  /** Recent deviations (ring), with running sums for their mean and variance. */
  private readonly devs: number[] = [];
  private devSum = 0;
  private devSq = 0;
  private readonly shortDevs: number[] = [];

  constructor(private readonly opts: RobustDetectorOptions = DEFAULT_ROBUST_OPTIONS) {
    this.ring = new Array<number>(opts.window).fill(0);
  }

  /** Values held for the baseline (at most `window`): the detector's memory. */
  get held(): number {
    return this.sorted.length;
  }

  /** Scores `value` against the past, then learns it. */
  update(value: number): PointScore {
    const o = this.opts;
    let result: PointScore = { score: 0, expected: value, spread: 0, deviation: 0 };
    if (this.count >= Math.min(o.warmup, o.window)) {
      const median = this.quantile(0.5);
      const mad = this.mad(median);
      const range = (this.sorted[this.sorted.length - 1] as number) - (this.sorted[0] as number);
      // A floor on the spread: a flat series must not make every wiggle infinite.
      const spread = Math.max(1.4826 * mad, range * 0.02, Math.abs(median) * 1e-3, 1e-9);
      const z = (value - median) / spread;
      this.recent.push(value);
      if (this.recent.length > o.shortWindow) this.recent.shift();
      const mean = this.recent.reduce((s, v) => s + v, 0) / this.recent.length;
      const zs = ((mean - median) / spread) * Math.sqrt(this.recent.length) * 0.5;
      const d = Math.max(Math.abs(z), Math.abs(zs));
      // How unusual is the recent average deviation for this series? (Its own history calibrates
      // it, so one threshold fits noisy and quiet series alike.)
      this.shortDevs.push(d);
      if (this.shortDevs.length > o.averageWindow) this.shortDevs.shift();
      const shortMean = this.shortDevs.reduce((a, b) => a + b, 0) / this.shortDevs.length;
      let score = 0;
      if (this.devs.length >= Math.min(o.warmup, o.historyWindow)) {
        const n = this.devs.length;
        const mu = this.devSum / n;
        const sd = Math.sqrt(Math.max(this.devSq / n - mu * mu, 1e-12));
        const x = (shortMean - mu) / Math.max(sd, 1e-6);
        const tail = 0.5 * erfc(x / Math.SQRT2);
        score = Math.min(1, -Math.log10(Math.max(tail, 1e-300)) / o.halfScoreAt);
      }
      this.devs.push(d);
      this.devSum += d;
      this.devSq += d * d;
      if (this.devs.length > o.historyWindow) {
        const old = this.devs.shift() as number;
        this.devSum -= old;
        this.devSq -= old * old;
      }
      // An alarm already raised: only a clearly stronger one counts again soon after.
      const since = this.seen - this.lastAlarm;
      if (since < o.suppress && score <= this.lastAlarmScore * 1.05) score *= since / o.suppress;
      if (score > 0.5 && (since >= o.suppress || score > this.lastAlarmScore)) {
        this.lastAlarm = this.seen;
        this.lastAlarmScore = score;
      }
      result = { score, expected: median, spread, deviation: z };
    } else {
      this.recent.push(value);
      if (this.recent.length > o.shortWindow) this.recent.shift();
    }
    this.learn(value);
    this.seen++;
    return result;
  }

  private learn(value: number): void {
    const o = this.opts;
    if (this.count === o.window) {
      const old = this.ring[this.head] as number;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
    } else this.count++;
    this.ring[this.head] = value;
    this.head = (this.head + 1) % o.window;
    this.sorted.splice(lowerBound(this.sorted, value), 0, value);
  }

  private quantile(q: number): number {
    const n = this.sorted.length;
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return ((this.sorted[lo] as number) + (this.sorted[hi] as number)) / 2;
  }

  private mad(median: number): number {
    // Median absolute deviation from the sorted window: merge outwards from the median.
    const a = this.sorted;
    let i = lowerBound(a, median) - 1;
    let j = i + 1;
    const half = Math.floor(a.length / 2);
    let d = 0;
    for (let k = 0; k <= half; k++) {
      const left = i >= 0 ? median - (a[i] as number) : Infinity;
      const right = j < a.length ? (a[j] as number) - median : Infinity;
      if (left <= right) {
        d = left;
        i--;
      } else {
        d = right;
        j++;
      }
    }
    return d;
  }
}
