import { expect, test } from 'vitest';
import type { MenuId } from './backend';
import { DOCS_URL, menuAction } from './menu';

// Every MenuId of the contract, with what it must do: `satisfies` makes the
// compiler reject a misspelt id, and the list is checked to be complete below.
const CASES = [
  ['add-folder', { kind: 'add-folder' }],
  ['open-demo', { kind: 'open-demo' }],
  ['settings', { kind: 'go', place: 'settings' }],
  ['view-settings', { kind: 'go', place: 'settings' }],
  ['filter', { kind: 'filter' }],
  ['view-projects', { kind: 'go', place: 'projects' }],
  ['view-runs', { kind: 'go', place: 'runs' }],
  ['view-datasets', { kind: 'go', place: 'datasets' }],
  ['view-compare', { kind: 'go', place: 'compare' }],
  ['view-fairness', { kind: 'go', place: 'fairness' }],
  ['view-models', { kind: 'go', place: 'models' }],
  ['about', { kind: 'about' }],
  ['docs', { kind: 'open-link', url: 'https://github.com/driftdeck/driftdeck#readme' }],
] as const satisfies readonly (readonly [MenuId, unknown])[];

test.each(CASES)('menu id %s', (id, expected) => {
  expect(menuAction(id)).toEqual(expected);
});

test('the cases cover all thirteen menu ids once', () => {
  expect(new Set(CASES.map(([id]) => id)).size).toBe(13);
});

test('docs open the README', () => {
  expect(DOCS_URL).toBe('https://github.com/driftdeck/driftdeck#readme');
});

test('an unknown id (a newer shell) is ignored, and so are inherited names', () => {
  expect(menuAction('view-lineage')).toBeNull();
  expect(menuAction('')).toBeNull();
  expect(menuAction('toString')).toBeNull();
  expect(menuAction('constructor')).toBeNull();
});
