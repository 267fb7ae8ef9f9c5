/**
 * How unlikely a run of raw scores is for this series: the mean of the last `average` raw
 * scores is compared with the distribution of raw scores the series usually produces (an
 * exponentially weighted mean and variance over about `history` points), and its Gaussian
 * tail probability is turned into a 0..1 score on a log scale (score 0.5 = a tail of 1e-5).
 * A noisy series that is always a little surprising then needs a bigger surprise than a quiet
 * one, so one alarm threshold fits both.
 */
export interface LikelihoodOptions {
  /** Raw scores averaged before comparing: one odd point is not enough. */
  average: number;
  /** Points of raw-score history that calibrate (the weight of older ones decays). */
  history: number;
  /** Raw scores observed before any likelihood is reported. */
  warmup: number;
}

export const DEFAULT_LIKELIHOOD_OPTIONS: LikelihoodOptions = { average: 10, history: 4000, warmup: 300 };

/** Decades of tail probability that map to a score of 1. */
const DECADES = 10;

/** Complementary error function (Abramowitz-Stegun 7.1.26, error below 1.5e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-z * z);
  return x >= 0 ? y : 2 - y;
}

export class AnomalyLikelihood {
  private readonly recent: Float64Array;
  private head = 0;
  private filled = 0;
  private sum = 0;
  private mean = 0;
  private variance = 0;
  private seen = 0;

  constructor(private readonly opts: LikelihoodOptions = DEFAULT_LIKELIHOOD_OPTIONS) {
    this.recent = new Float64Array(Math.max(1, opts.average));
  }

  get bytes(): number {
    return this.recent.byteLength + 48;
  }

  /** Scores the latest raw score (0..1) against the series' history, then learns it. */
  update(raw: number): number {
    const n = this.recent.length;
    if (this.filled === n) this.sum -= this.recent[this.head] as number;
    else this.filled++;
    this.recent[this.head] = raw;
    this.sum += raw;
    this.head = (this.head + 1) % n;
    let score = 0;
    if (this.seen >= this.opts.warmup) {
      const sd = Math.max(Math.sqrt(Math.max(this.variance, 1e-6)), 0.03);
      const z = (this.sum / this.filled - this.mean) / sd;
      // Within a standard deviation the score is under 0.08: ordinary, reported as 0 (most
      // points, so the tail is worked out only where it matters).
      if (z > 1) score = Math.min(1, -Math.log10(Math.max(0.5 * erfc(z / Math.SQRT2), 1e-300)) / DECADES);
    }
    this.seen++;
    const a = Math.max(1 / this.seen, 1 / this.opts.history);
    const d = raw - this.mean;
    this.mean += a * d;
    this.variance = (1 - a) * (this.variance + a * d * d);
    return score;
  }
}
