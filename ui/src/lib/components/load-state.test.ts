import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import LoadState from './LoadState.svelte';

describe('LoadState', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  it('says what failed and retries on request', () => {
    const onretry = vi.fn();
    app = mount(LoadState, {
      target: document.body,
      props: { what: 'incidents', loading: false, error: 'Sleuth does not answer', empty: true, onretry },
    });
    const alert = document.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Could not load incidents.');
    expect(alert?.textContent).toContain('Sleuth does not answer');
    document.querySelector('button')!.click();
    flushSync();
    expect(onretry).toHaveBeenCalledOnce();
  });

  it('shows the loading line, then the empty text', () => {
    app = mount(LoadState, { target: document.body, props: { what: 'logs', loading: true, empty: true } });
    expect(document.body.textContent).toContain('Loading logs…');
    void unmount(app);
    app = mount(LoadState, {
      target: document.body,
      props: { what: 'logs', loading: false, empty: true, emptyText: 'No log line matches.' },
    });
    expect(document.body.textContent).toContain('No log line matches.');
  });
});
