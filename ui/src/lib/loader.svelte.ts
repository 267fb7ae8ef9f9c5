import { describeError } from './api/http';

/**
 * One server read a page shows: loading, its data, or the error as a sentence. `load()` cancels
 * the read still under way, so a fast typist's filters never show an older answer last.
 */
export class Loader<T> {
  data: T | undefined = $state();
  error: string | undefined = $state();
  loading = $state(false);
  private controller: AbortController | undefined;

  constructor(private readonly fetcher: (signal: AbortSignal) => Promise<T>) {}

  /** Reads again. `quiet` keeps the current data on screen while it does (live refreshes). */
  async load(opts: { quiet?: boolean } = {}): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    if (!opts.quiet) this.loading = true;
    try {
      const data = await this.fetcher(controller.signal);
      if (controller.signal.aborted) return;
      this.data = data;
      this.error = undefined;
    } catch (err) {
      if (controller.signal.aborted) return;
      this.error = describeError(err);
    } finally {
      if (this.controller === controller) this.loading = false;
    }
  }

  cancel(): void {
    this.controller?.abort();
  }
}
