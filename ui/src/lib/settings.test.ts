import { expect, test } from 'vitest';
import type { Settings } from './backend';
import { CATALOG_SOURCE_TEXT, ENV_CATALOG_NOTE, catalogControls, checkCatalogFolder } from './settings';

const DEFAULT = '/home/ana/.local/share/driftdeck/catalog.sqlite';

function settings(fields: Partial<Settings> = {}): Settings {
  return {
    catalog_path: DEFAULT,
    catalog_default: DEFAULT,
    catalog_source: 'default',
    theme: 'system',
    settings_path: '/home/ana/.config/driftdeck/settings.toml',
    ...fields,
  };
}

test.each([
  ['not loaded yet: nothing to do', null, false, { canChange: false, canUseDefault: false, note: null }],
  ['at the default: it can move, it is already at the default', settings(), false, { canChange: true, canUseDefault: false, note: null }],
  [
    'chosen in Settings: it can move and go back',
    settings({ catalog_source: 'settings', catalog_path: '/mnt/team/catalog.sqlite' }),
    false,
    { canChange: true, canUseDefault: true, note: null },
  ],
  [
    'DRIFTDECK_DB: nothing can change, and the note says why',
    settings({ catalog_source: 'env', catalog_path: '/tmp/c.sqlite' }),
    false,
    { canChange: false, canUseDefault: false, note: ENV_CATALOG_NOTE },
  ],
  [
    'while a move runs: nothing else',
    settings({ catalog_source: 'settings', catalog_path: '/mnt/team/catalog.sqlite' }),
    true,
    { canChange: false, canUseDefault: false, note: null },
  ],
] as const)('%s', (_name, value, busy, expected) => {
  expect(catalogControls(value, busy)).toEqual(expected);
});

test('the note names the variable; every source is described', () => {
  expect(ENV_CATALOG_NOTE).toMatch(/DRIFTDECK_DB/);
  expect(Object.keys(CATALOG_SOURCE_TEXT).sort()).toEqual(['default', 'env', 'settings']);
});

test.each([
  ['', { folder: null, error: null }],
  ['   ', { folder: null, error: null }],
  [' /mnt/team/driftdeck ', { folder: '/mnt/team/driftdeck', error: null }],
  ['C:\\Users\\ana\\driftdeck', { folder: 'C:\\Users\\ana\\driftdeck', error: null }],
  ['\\\\server\\share', { folder: '\\\\server\\share', error: null }],
  ['~/driftdeck', { folder: null, error: 'Type the full path of a folder, starting with /' }],
  ['team/driftdeck', { folder: null, error: 'Type the full path of a folder, starting with /' }],
])('a typed catalog folder %j', (text, expected) => {
  expect(checkCatalogFolder(text)).toEqual(expected);
});
