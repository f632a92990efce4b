/**
 * The system colour scheme as reactive state: charts drawn by the shell need
 * to be asked again in the other palette when it changes.
 */
const QUERY = '(prefers-color-scheme: dark)';

class ColorScheme {
  dark = $state(false);

  constructor() {
    if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return;
    const media = window.matchMedia(QUERY);
    this.dark = media.matches;
    media.addEventListener('change', (event) => (this.dark = event.matches));
  }
}

export const colorScheme = new ColorScheme();
