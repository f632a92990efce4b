import { expect, test } from 'vitest';
import { usableLanguage } from './locale';

test('POSIX locale names are not languages the number formatter takes', () => {
  expect(usableLanguage('en-US')).toBe(true);
  expect(usableLanguage('de')).toBe(true);
  expect(usableLanguage('C')).toBe(false);
  expect(usableLanguage('')).toBe(false);
  expect(usableLanguage(undefined)).toBe(false);
});
