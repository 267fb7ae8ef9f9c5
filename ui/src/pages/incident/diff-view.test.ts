import { mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import DiffView from './DiffView.svelte';

const PATCH = [
  '--- a/clusters/prod-us/payments/payments-api.yaml',
  '+++ b/clusters/prod-us/payments/payments-api.yaml',
  '@@ -62,4 +62,4 @@',
  '             limits:',
  '-              memory: 1024Mi',
  '+              memory: 1536Mi',
  '               cpu: "2"',
  '           readinessProbe:',
  '',
].join('\n');

describe('DiffView', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  const cells = (row: Element | undefined) =>
    [...(row?.querySelectorAll('td') ?? [])].map((td) => td.textContent?.trim());

  it('shows the file, the removed and the added line with their line numbers, and says which is which', () => {
    app = mount(DiffView, { target: document.body, props: { patch: PATCH } });
    const file = document.querySelector('figure');
    expect(file?.getAttribute('aria-label')).toBe(
      'Changes to clusters/prod-us/payments/payments-api.yaml: 1 added, 1 removed',
    );
    expect(file?.querySelector('figcaption')?.textContent).toContain(
      'clusters/prod-us/payments/payments-api.yaml',
    );
    expect(document.querySelector('tr.hunk')?.textContent).toContain('@@ -62,4 +62,4 @@');

    const rows = [...document.querySelectorAll('tr[data-kind]')];
    expect(rows.map((r) => r.getAttribute('data-kind'))).toEqual([
      'context',
      'del',
      'add',
      'context',
      'context',
    ]);
    const [first, removed, added, , last] = rows;
    expect(cells(first)).toEqual(['62', '62', 'unchanged', 'limits:']);
    expect(removed?.getAttribute('aria-label')).toBe('removed line 63');
    expect(cells(removed)).toEqual(['63', '', '-removed', 'memory: 1024Mi']);
    expect(added?.getAttribute('aria-label')).toBe('added line 63');
    expect(cells(added)).toEqual(['', '63', '+added', 'memory: 1536Mi']);
    expect(cells(last)).toEqual(['65', '65', 'unchanged', 'readinessProbe:']);
  });

  it('says when there is nothing to change, and shows text it cannot read as it is', () => {
    app = mount(DiffView, { target: document.body, props: { patch: '' } });
    expect(document.body.textContent).toContain('The diff is empty');
    void unmount(app);
    app = mount(DiffView, { target: document.body, props: { patch: 'not a diff' } });
    expect(document.querySelector('pre')?.textContent).toBe('not a diff');
  });
});
