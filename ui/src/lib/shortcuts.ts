export interface ShortcutActions {
  /** `g` then a key: go to the page with that key. */
  go: (key: string) => void;
  help: () => void;
  escape: () => void;
}

/**
 * Global keyboard shortcuts, ignored while typing in a field: `g x` goes to a page, `?` toggles
 * help, `/` focuses the page's search (the element marked `data-search`), `j`/`k` move through
 * the rows marked `data-row` and `Enter` opens the focused one.
 */
export class Shortcuts {
  private pendingG = false;
  private readonly onKey = (e: KeyboardEvent) => this.handle(e);

  constructor(
    private readonly doc: Document,
    private readonly actions: ShortcutActions,
  ) {
    doc.addEventListener('keydown', this.onKey);
  }

  private handle(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      this.actions.escape();
      return;
    }
    const t = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    if (this.pendingG) {
      this.pendingG = false;
      this.actions.go(e.key);
      e.preventDefault();
      return;
    }
    switch (e.key) {
      case 'g':
        this.pendingG = true;
        setTimeout(() => (this.pendingG = false), 1500);
        break;
      case '?':
        this.actions.help();
        break;
      case '/': {
        const search = this.doc.querySelector<HTMLElement>('[data-search]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
        break;
      }
      case 'j':
      case 'k':
        this.moveRow(e.key === 'j' ? 1 : -1);
        e.preventDefault();
        break;
      default:
    }
  }

  private moveRow(step: number): void {
    const rows = [...this.doc.querySelectorAll<HTMLElement>('[data-row]')];
    if (rows.length === 0) return;
    const at = rows.findIndex((r) => r === this.doc.activeElement || r.contains(this.doc.activeElement));
    const next = rows[Math.min(rows.length - 1, Math.max(0, at === -1 ? 0 : at + step))];
    next?.focus();
  }

  dispose(): void {
    this.doc.removeEventListener('keydown', this.onKey);
  }
}
