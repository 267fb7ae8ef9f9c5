/**
 * What a series usually does at this time of day: the mean and the mean absolute deviation of
 * its values in each half-hour of the (UTC) day, plus how far each weekday runs above or below
 * that (quiet weekends), learned with exponential weights so the profile follows slow change. The profile only speaks once it has seen two days and explains
 * the series: values deviate from their half-hour's mean at most `explainedBelow` times as much
 * as from the overall mean (a flat or random series has no daily shape to speak of).
 */
export const SLOTS = 48;
const DAY_MS = 86_400_000;
const SLOT_MS = DAY_MS / SLOTS;
/** Values over which a weekday's offset is averaged (about a day of five-minute points). */
const WEEKDAY_POINTS = 300;

export interface DailyProfileOptions {
  /** Days of data before the profile speaks. */
  minDays: number;
  /** Ratio of deviation within half-hours to overall deviation below which the day has a shape. */
  explainedBelow: number;
  /** Weight of a new value in its half-hour's statistics once the half-hour has some history. */
  learningRate: number;
}

export const DEFAULT_DAILY_OPTIONS: DailyProfileOptions = {
  minDays: 2,
  explainedBelow: 0.5,
  learningRate: 0.05,
};

export class DailyProfile {
  /** Per half-hour: [mean, mean absolute deviation, values seen], side by side so one point
   * touches one cache line (32-bit floats: ample for a baseline, half the memory). */
  private readonly slots = new Float32Array(SLOTS * 3);
  /** Per weekday (UTC, Sunday first): [how far it runs above or below the daily profile, values seen]. */
  private readonly weekdays = new Float32Array(7 * 2);
  private overallMean = 0;
  private overallDeviation = 0;
  private slotDeviation = 0;
  private count = 0;
  private firstMs = NaN;

  constructor(private readonly opts: DailyProfileOptions = DEFAULT_DAILY_OPTIONS) {}

  get bytes(): number {
    return this.slots.byteLength + this.weekdays.byteLength + 48;
  }

  /** Whether the series has a daily shape this profile can vouch for. */
  get speaks(): boolean {
    if (!(this.count > 0) || this.overallDeviation <= 0) return false;
    return this.slotDeviation / this.overallDeviation < this.opts.explainedBelow;
  }

  /**
   * How far `value` is from what this half-hour usually shows, in the half-hour's usual
   * deviations (undefined while the profile cannot speak), then learns it.
   */
  observe(value: number, timeMs: number): { deviations: number; low: number; high: number } | undefined {
    if (Number.isNaN(this.firstMs)) this.firstMs = timeMs;
    const at = 3 * Math.floor((timeMs % DAY_MS) / SLOT_MS);
    // 1970-01-01 was a Thursday.
    const wd = 2 * ((Math.floor(timeMs / DAY_MS) + 4) % 7);
    const offset = this.weekdays[wd] as number;
    const wn = this.weekdays[wd + 1] as number;
    const m = (this.slots[at] as number) + offset;
    const d = this.slots[at + 1] as number;
    const n = this.slots[at + 2] as number;
    let out: { deviations: number; low: number; high: number } | undefined;
    if (timeMs - this.firstMs >= this.opts.minDays * DAY_MS && n >= 2 && this.speaks) {
      const spread = Math.max(d, 1e-9, this.slotDeviation * 0.25);
      out = { deviations: (value - m) / spread, low: m - 3 * spread, high: m + 3 * spread };
    }
    // Learn: the half-hour's statistics, then how well half-hours explain the series overall.
    const a = n < 1 / this.opts.learningRate ? 1 / (n + 1) : this.opts.learningRate;
    const residual = n === 0 ? 0 : Math.abs(value - m);
    // The half-hour learns the value with its weekday's offset taken out; the weekday learns how
    // far its days run from the half-hours (quiet weekends), slowly, once the half-hour is known.
    this.slots[at] = m - offset + a * (value - m);
    if (n > 0) this.slots[at + 1] = d + a * (residual - d);
    this.slots[at + 2] = n + 1;
    if (n > 0) {
      const w = wn < WEEKDAY_POINTS ? 1 / (wn + 1) : 1 / WEEKDAY_POINTS;
      this.weekdays[wd] = offset + w * (value - m);
      this.weekdays[wd + 1] = wn + 1;
    }
    this.count++;
    const b = Math.max(1 / this.count, 1 / 5000);
    this.overallMean += b * (value - this.overallMean);
    this.overallDeviation += b * (Math.abs(value - this.overallMean) - this.overallDeviation);
    if (n > 0) this.slotDeviation += b * (residual - this.slotDeviation);
    return out;
  }
}
