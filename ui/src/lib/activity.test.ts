import { describe, expect, test } from 'vitest';
import type { CatalogActivity } from './backend';
import { MAX_WARNINGS, activityLabel, activityProgress, addWarning, warningsText } from './activity';

const names: Record<number, string> = { 1: 'fraud', 2: 'churn' };
const projectName = (id: number) => names[id] ?? null;
const activity = (state: CatalogActivity['state'], project_id: number | null, done: number, total: number): CatalogActivity => ({
  state,
  project_id,
  done,
  total,
});

describe('activityLabel', () => {
  test.each<[string, CatalogActivity | null, string]>([
    ['nothing heard yet', null, 'Live updates starting…'],
    ['watching', activity('watching', null, 3, 3), 'Watching 3 projects'],
    ['watching one', activity('watching', null, 1, 1), 'Watching 1 project'],
    ['reading', activity('reading', 1, 120, 400), 'Indexing fraud: reading 120/400'],
    ['hashing', activity('hashing', 2, 3, 9), 'Indexing churn: hashing 3/9'],
    ['walking, no total yet', activity('walking', 1, 57, 0), 'Indexing fraud: walking 57'],
    ['unknown project', activity('reading', 9, 1, 2), 'Indexing: reading 1/2'],
    ['no project', activity('reading', null, 1, 2), 'Indexing: reading 1/2'],
  ])('%s', (_name, a, expected) => {
    expect(activityLabel(a, projectName)).toBe(expected);
  });
});

test('activityProgress', () => {
  expect(activityProgress(activity('reading', 1, 120, 400))).toBe(0.3);
  expect(activityProgress(activity('reading', 1, 500, 400))).toBe(1);
  expect(activityProgress(activity('walking', 1, 5, 0))).toBeNull();
  expect(activityProgress(activity('watching', null, 2, 2))).toBeNull();
  expect(activityProgress(null)).toBeNull();
});

test('warnings: newest last, at most MAX_WARNINGS kept, copyable as lines', () => {
  let list = addWarning([], { project_id: 1, message: 'first' }, 1);
  list = addWarning(list, { project_id: null, message: 'second' }, 2);
  expect(warningsText(list, projectName)).toBe('fraud: first\nsecond');
  for (let i = 3; i < MAX_WARNINGS + 10; i++) list = addWarning(list, { project_id: null, message: `w${i}` }, i);
  expect(list).toHaveLength(MAX_WARNINGS);
  expect(list[list.length - 1].message).toBe(`w${MAX_WARNINGS + 9}`);
  expect(list[0].seq).toBe(10);
});
