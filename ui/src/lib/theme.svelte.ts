/**
 * The colour scheme as reactive state. `dark` is the EFFECTIVE theme: the
 * user's setting (Settings → Appearance), or the OS's scheme, followed live,
 * when the setting is `system`. Charts drawn by the shell are asked again in
 * the other palette when it changes, and <html data-theme> tells app.css.
 *
 * The instance is made when this module is first imported, before the app
 * mounts, so the remembered theme is on <html> before the first frame.
 */
import type { Theme } from './backend';
import { THEME_STORAGE_KEY, effectiveTheme, parseTheme, type EffectiveTheme } from './appearance';

const QUERY = '(prefers-color-scheme: dark)';

function readStoredTheme(): Theme | null {
  try {
    return parseTheme(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return null; // storage unavailable: the shell's answer decides
  }
}

function storeTheme(theme: Theme) {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage unavailable: the next start may show the system theme for a moment.
  }
}

class ColorScheme {
  /** The OS asks for dark. */
  system = $state(false);
  /** The user's setting. */
  theme = $state<Theme>('system');
  readonly effective: EffectiveTheme = $derived(effectiveTheme(this.theme, this.system));
  readonly dark: boolean = $derived(this.effective === 'dark');

  constructor() {
    if (typeof window === 'undefined') return;
    this.theme = readStoredTheme() ?? 'system';
    if (typeof window.matchMedia === 'function') {
      const media = window.matchMedia(QUERY);
      this.system = media.matches;
      media.addEventListener('change', (event) => {
        this.system = event.matches;
        this.apply();
      });
    }
    this.apply();
  }

  /** A theme from the settings (at start, or chosen in Settings). */
  setTheme(theme: Theme) {
    this.theme = theme;
    storeTheme(theme);
    this.apply();
  }

  private apply() {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = this.effective;
  }
}

export const colorScheme = new ColorScheme();
