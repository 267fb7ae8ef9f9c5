export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'sleuth.theme';

/** Light or dark: the OS's choice unless the user picked one (remembered in this browser). */
export class Theme {
  choice: ThemeChoice = $state('system');
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');

  constructor() {
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') this.choice = saved;
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  get effective(): 'light' | 'dark' {
    if (this.choice !== 'system') return this.choice;
    return this.media.matches ? 'dark' : 'light';
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    this.apply();
  }

  /** light → dark → system → light. */
  cycle(): void {
    this.set(this.choice === 'light' ? 'dark' : this.choice === 'dark' ? 'system' : 'light');
  }

  private apply(): void {
    document.documentElement.dataset.theme = this.effective;
  }
}
