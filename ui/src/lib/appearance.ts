/**
 * The theme setting and the theme in effect. `system` follows the OS (live),
 * `light` and `dark` force one; the page shows the effective one through a
 * `data-theme` attribute on <html> (app.css keys its dark palette on it), and
 * the shell draws charts in that palette too.
 *
 * The last choice is also kept in localStorage: the shell's answer comes
 * after the first frame, and a forced theme must not flash the other palette
 * meanwhile.
 */
import type { Theme } from './backend';

export type EffectiveTheme = 'light' | 'dark';

export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/** Where the last theme is remembered (localStorage). Bump the version if the format changes. */
export const THEME_STORAGE_KEY = 'driftdeck.theme.v1';

export const THEME_LABELS: Record<Theme, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

/** A stored or sent theme, or null for anything that is not one. */
export function parseTheme(value: unknown): Theme | null {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value) ? (value as Theme) : null;
}

/** What the UI shows: the forced theme, or the OS's when the setting is `system`. */
export function effectiveTheme(theme: Theme, systemDark: boolean): EffectiveTheme {
  if (theme === 'system') return systemDark ? 'dark' : 'light';
  return theme;
}
