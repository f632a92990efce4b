/**
 * The page's language as libraries read it when they load. The canvas chart
 * library formats numbers with `navigator.language` at import time, and
 * WebKit refuses a POSIX locale name such as `C` (a desktop started with
 * LANG=C), which would stop the whole app before its first frame. Such a
 * name reads as `en-US` instead. Imported first by main.ts.
 */
export function usableLanguage(tag: string | undefined): boolean {
  if (!tag) return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

export const FALLBACK_LANGUAGE = 'en-US';

if (typeof navigator !== 'undefined' && !usableLanguage(navigator.language)) {
  Object.defineProperty(navigator, 'language', { configurable: true, get: () => FALLBACK_LANGUAGE });
}
