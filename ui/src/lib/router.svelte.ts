/**
 * Client-side routing over the History API: every view has a URL (shareable, reloadable; the
 * server answers any view's URL with the app), filters live in the query string, and in-app
 * links navigate without a reload.
 */
export type View =
  | { name: 'fleet' }
  | { name: 'incidents' }
  | { name: 'incident'; id: string }
  | { name: 'chat'; conversationId?: string }
  | { name: 'logs' }
  | { name: 'metrics' }
  | { name: 'alerts' }
  | { name: 'settings' }
  | { name: 'admin' }
  | { name: 'not-found'; path: string };

/** The UI's paths. The metrics page is /series: /metrics is the server's Prometheus endpoint. */
export function matchView(path: string): View {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, ...more] = parts;
  if (more.length > 0) return { name: 'not-found', path };
  switch (first) {
    case undefined:
      return { name: 'fleet' };
    case 'incidents':
      return second === undefined ? { name: 'incidents' } : { name: 'incident', id: second };
    case 'chat':
      return second === undefined ? { name: 'chat' } : { name: 'chat', conversationId: second };
    case 'logs':
    case 'alerts':
    case 'settings':
    case 'admin':
      return second === undefined ? { name: first } : { name: 'not-found', path };
    case 'series':
      return second === undefined ? { name: 'metrics' } : { name: 'not-found', path };
    default:
      return { name: 'not-found', path };
  }
}

export class Router {
  path = $state('/');
  search = $state('');
  view: View = $derived(matchView(this.path));
  query: URLSearchParams = $derived(new URLSearchParams(this.search));

  constructor(private readonly win: Window = window) {
    this.sync();
    win.addEventListener('popstate', () => this.sync());
  }

  private sync(): void {
    this.path = this.win.location.pathname;
    this.search = this.win.location.search;
  }

  /** Goes to an in-app URL (`/incidents/inc_1?tab=evidence`), adding a history entry unless `replace`. */
  navigate(href: string, opts: { replace?: boolean } = {}): void {
    const url = new URL(href, this.win.location.href);
    if (url.origin !== this.win.location.origin) {
      this.win.location.assign(url.href);
      return;
    }
    const target = url.pathname + url.search + url.hash;
    if (opts.replace) this.win.history.replaceState(null, '', target);
    else this.win.history.pushState(null, '', target);
    this.sync();
    if (!url.hash && !opts.replace) this.win.scrollTo(0, 0);
  }

  /** Sets or clears query parameters of the current view (filters), replacing the history entry. */
  setQuery(patch: Record<string, string | undefined | null>, opts: { push?: boolean } = {}): void {
    const params = new URLSearchParams(this.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === null || v === '') params.delete(k);
      else params.set(k, v);
    }
    const qs = params.toString();
    this.navigate(this.path + (qs ? `?${qs}` : ''), { replace: !opts.push });
  }

  /**
   * Lets plain `<a href="/…">` links navigate in-app: a left click without modifier keys on a
   * same-origin link that is not a download or a new-tab link.
   */
  interceptLinks(root: HTMLElement): () => void {
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a');
      if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
      const href = a.getAttribute('href');
      if (!href || !href.startsWith('/') || href.startsWith('/api/')) return;
      e.preventDefault();
      this.navigate(href);
    };
    root.addEventListener('click', onClick);
    return () => root.removeEventListener('click', onClick);
  }
}

let current: Router | undefined;

/** The app's router (one per page load). */
export function router(): Router {
  current ??= new Router();
  return current;
}

/** An href for a view with a query, dropping empty values. */
export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
