/** At most this many distinct reasons are reported per request. */
export const MAX_REASONS = 10;

/**
 * Counts the records a request loses to permanent validation errors and keeps a short, readable
 * account of why. Reasons are distinct by problem: the first place a problem was seen is named, with
 * the number of units that had it, e.g.
 * `logs: resourceLogs[0].scopeLogs[1].logRecords[3]: traceId must be 32 hex characters (5 in total)`.
 */
export class Rejections {
  /** Units rejected: log records, metric data points or spans. */
  count = 0;
  private readonly problems = new Map<string, { where: string; units: number }>();

  constructor(private readonly label: string) {}

  /** Records that `units` units at `where` were dropped because of `problem`. */
  reject(where: string, problem: string, units = 1): void {
    this.count += units;
    const seen = this.problems.get(problem);
    if (seen !== undefined) seen.units += units;
    else if (this.problems.size < MAX_REASONS) this.problems.set(problem, { where, units });
  }

  /** The distinct reasons, in the order first seen, at most MAX_REASONS. */
  reasons(): string[] {
    const out: string[] = [];
    for (const [problem, { where, units }] of this.problems) {
      out.push(`${this.label}: ${where}: ${problem}${units > 1 ? ` (${units} in total)` : ''}`);
    }
    return out;
  }
}
