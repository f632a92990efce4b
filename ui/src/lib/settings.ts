/**
 * The Settings view's logic: what the catalog controls allow and why not,
 * and how the catalog's location is described.
 */
import type { CatalogSource, Settings } from './backend';

export const CATALOG_SOURCE_TEXT: Record<CatalogSource, string> = {
  env: 'set by DRIFTDECK_DB',
  settings: 'chosen in Settings',
  default: 'the default location',
};

/** Why the catalog cannot be moved while DRIFTDECK_DB is set. */
export const ENV_CATALOG_NOTE =
  'The DRIFTDECK_DB environment variable sets the catalog for this session, so its location cannot be changed here. ' +
  'Start Driftdeck without DRIFTDECK_DB to choose it in the app.';

export type CatalogControls = {
  /** "Change location…" and the copy box. */
  canChange: boolean;
  /** "Use the default location": not when already there. */
  canUseDefault: boolean;
  /** Why the controls are off, when that is not obvious; null otherwise. */
  note: string | null;
};

export function catalogControls(settings: Settings | null, busy: boolean): CatalogControls {
  if (settings === null) return { canChange: false, canUseDefault: false, note: null };
  if (settings.catalog_source === 'env') return { canChange: false, canUseDefault: false, note: ENV_CATALOG_NOTE };
  return {
    canChange: !busy,
    canUseDefault: !busy && settings.catalog_source === 'settings',
    note: null,
  };
}

/**
 * A folder typed for the catalog. The shell takes absolute paths only (it
 * puts catalog.sqlite in the folder); "~" is not expanded there either.
 */
export function checkCatalogFolder(text: string): { folder: string | null; error: string | null } {
  const folder = text.trim();
  if (folder === '') return { folder: null, error: null };
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) {
    return { folder: null, error: 'Type the full path of a folder, starting with /' };
  }
  return { folder, error: null };
}
