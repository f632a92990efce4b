import { expect, test } from 'vitest';
import { THEMES, THEME_LABELS, effectiveTheme, parseTheme } from './appearance';

test.each([
  ['system', false, 'light'],
  ['system', true, 'dark'],
  ['light', true, 'light'],
  ['light', false, 'light'],
  ['dark', false, 'dark'],
  ['dark', true, 'dark'],
] as const)('the %s setting with a dark OS = %s is %s', (theme, systemDark, expected) => {
  expect(effectiveTheme(theme, systemDark)).toBe(expected);
});

test('parseTheme takes the three settings and nothing else', () => {
  for (const theme of THEMES) expect(parseTheme(theme)).toBe(theme);
  for (const bad of [null, undefined, '', 'Dark', 'auto', 1, {}]) expect(parseTheme(bad)).toBeNull();
});

test('every theme has a label, in the order the control shows them', () => {
  expect(THEMES.map((t) => THEME_LABELS[t])).toEqual(['System', 'Light', 'Dark']);
});
