import { describeError } from '../../lib/api/http';
import { searchLogs, type LogFilters } from '../../lib/api/logs';
import type { LogRecord } from '../../lib/api/types';
import { mergeNewest } from './log-query';

export interface LogFeedOptions {
  /** Lines per page of the search. */
  page: number;
  /** Most lines kept while live; the oldest go first. */
  cap: number;
  /** Time between polls for new lines, ms. */
  pollMs: number;
  /** Lines read per poll. */
  pollLimit: number;
  /** How far back from the newest line a poll reads, ms, so lines that arrive late still show. */
  overlapMs: number;
}

export const DEFAULT_FEED_OPTIONS: LogFeedOptions = {
  page: 100,
  cap: 2000,
  pollMs: 2000,
  pollLimit: 500,
  overlapMs: 10_000,
};

/**
 * The lines of one log search, newest first: the first page, older pages on request (the API's
 * cursor), and, while live, new lines polled every `pollMs` and put on top (the server has no log
 * stream). While live at most `cap` lines are kept. `reset` starts over with other filters and
 * cancels reads still under way, so an older answer never lands after a newer one.
 */
export class LogFeed {
  records: LogRecord[] = $state([]);
  next: string | undefined = $state();
  loading = $state(false);
  error: string | undefined = $state();
  loadingMore = $state(false);
  moreError: string | undefined = $state();
  live = $state(false);
  paused = $state(false);
  liveError: string | undefined = $state();
  /** Lines polled since live began. */
  arrived = $state(0);
  /** True when one poll found more new lines than it reads: some were skipped. */
  overflow = $state(false);
  /** True when the cap let older lines go. */
  capped = $state(false);

  private filters: LogFilters = {};
  private controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly opts: LogFeedOptions;

  constructor(opts: Partial<LogFeedOptions> = {}) {
    this.opts = { ...DEFAULT_FEED_OPTIONS, ...opts };
  }

  /** Searches with these filters from the top, dropping what was shown. */
  async reset(filters: LogFilters): Promise<void> {
    this.controller.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    this.filters = filters;
    this.loading = true;
    this.error = undefined;
    this.moreError = undefined;
    this.overflow = false;
    this.capped = false;
    this.arrived = 0;
    try {
      const page = await searchLogs(filters, { limit: this.opts.page }, { signal });
      if (signal.aborted) return;
      this.records = page.records;
      this.next = page.nextCursor;
    } catch (err) {
      if (signal.aborted) return;
      this.records = [];
      this.next = undefined;
      this.error = describeError(err);
    } finally {
      if (!signal.aborted) this.loading = false;
    }
    this.schedule();
  }

  /** Appends the next older page. */
  async loadMore(): Promise<void> {
    const cursor = this.next;
    if (!cursor || this.loadingMore) return;
    const { signal } = this.controller;
    this.loadingMore = true;
    this.moreError = undefined;
    try {
      const page = await searchLogs(this.filters, { limit: this.opts.page, cursor }, { signal });
      if (signal.aborted) return;
      this.records = [...this.records, ...page.records];
      this.next = page.nextCursor;
    } catch (err) {
      if (!signal.aborted) this.moreError = describeError(err);
    } finally {
      this.loadingMore = false;
    }
  }

  /**
   * Reads older pages until every line in `ids` is shown or `maxLines` are (so a search around
   * cited lines shows them, with the lines before and after).
   */
  async loadUntil(ids: ReadonlySet<string>, maxLines: number): Promise<void> {
    const { signal } = this.controller;
    const missing = () => {
      const shown = new Set(this.records.map((r) => r.id));
      return [...ids].some((id) => !shown.has(id));
    };
    while (this.next && missing() && this.records.length < maxLines && !signal.aborted && !this.moreError) {
      await this.loadMore();
    }
  }

  /** Follows new lines (or stops following). */
  setLive(on: boolean): void {
    this.live = on;
    this.paused = false;
    this.liveError = undefined;
    this.schedule();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.live || this.paused || this.loading) return;
    this.timer = setTimeout(() => void this.poll(), this.opts.pollMs);
  }

  private async poll(): Promise<void> {
    const { signal } = this.controller;
    const newest = this.records[0]?.timeMs;
    const from = newest === undefined ? this.filters.from : String(Math.floor(newest - this.opts.overlapMs));
    try {
      const page = await searchLogs(
        { ...this.filters, from, to: undefined },
        { limit: this.opts.pollLimit },
        { signal },
      );
      if (signal.aborted) return;
      const known = new Set(this.records.map((r) => r.id));
      const fresh = page.records.filter((r) => !known.has(r.id));
      // A full page that reaches back no further than the newest line shown left lines out.
      const oldestRead = page.records.at(-1)?.timeMs;
      this.overflow = page.nextCursor !== undefined && (newest === undefined || (oldestRead ?? 0) > newest);
      if (fresh.length > 0) {
        const merged = mergeNewest(this.records, fresh, this.opts.cap);
        if (merged.length < this.records.length + fresh.length) {
          this.capped = true;
          this.next = undefined;
        }
        this.records = merged;
        this.arrived += fresh.length;
      }
      this.liveError = undefined;
    } catch (err) {
      if (signal.aborted) return;
      this.liveError = describeError(err);
    }
    this.schedule();
  }

  /** Stops polling and cancels reads; call when the page goes away. */
  dispose(): void {
    this.live = false;
    clearTimeout(this.timer);
    this.controller.abort();
  }
}
