import { describe, expect, test } from 'vitest';
import type { Project } from './backend';
import { addedOn, baseName, countLabel, displayName, sortProjects, upsertProject } from './projects';

function project(id: number, name: string, path = `/work/${name}`): Project {
  return { id, name, path, added_at: '2026-01-05T10:00:00Z', exists: true, watch: true };
}

describe('baseName', () => {
  test.each([
    ['/home/ana/churn-model', 'churn-model'],
    ['/home/ana/churn-model/', 'churn-model'],
    ['C:\\Users\\ana\\fraud', 'fraud'],
    ['C:\\Users\\ana\\fraud\\', 'fraud'],
    ['relative/dir', 'dir'],
    ['single', 'single'],
    ['/', '/'],
    ['', ''],
  ])('%j -> %j', (path, expected) => {
    expect(baseName(path)).toBe(expected);
  });
});

test('displayName prefers the catalog name and falls back to the folder name', () => {
  expect(displayName({ name: 'Churn', path: '/x/churn' })).toBe('Churn');
  expect(displayName({ name: '', path: '/x/churn/' })).toBe('churn');
  expect(displayName({ name: '   ', path: 'D:\\data\\fraud' })).toBe('fraud');
});

test('sortProjects orders by name, case-insensitively and numerically, then by path', () => {
  const input = [
    project(1, 'run10'),
    project(2, 'beta'),
    project(3, 'Alpha'),
    project(4, 'run2'),
    project(5, 'alpha', '/a/alpha'),
  ];
  const ids = sortProjects(input).map((p) => p.id);
  expect(ids).toEqual([5, 3, 2, 4, 1]);
  // The input is left as it was.
  expect(input.map((p) => p.id)).toEqual([1, 2, 3, 4, 5]);
});

test('upsertProject appends a new project and replaces one with the same id', () => {
  const list = [project(1, 'a'), project(2, 'b')];
  expect(upsertProject(list, project(3, 'c')).map((p) => p.id)).toEqual([1, 2, 3]);

  const moved = { ...project(2, 'b'), exists: false };
  const replaced = upsertProject(list, moved);
  expect(replaced).toHaveLength(2);
  expect(replaced[1]).toBe(moved);
  expect(list[1].exists).toBe(true);
});

test.each([
  [0, '0 projects'],
  [1, '1 project'],
  [2, '2 projects'],
])('countLabel(%i)', (n, expected) => {
  expect(countLabel(n, 'project')).toBe(expected);
});

test.each([
  ['2026-01-05T10:00:00Z', '2026-01-05'],
  ['2026-01-05T23:59:59+02:00', '2026-01-05'],
  ['2026-01-05 10:00:00', '2026-01-05'],
  ['2026-01-05', '2026-01-05'],
  ['yesterday', 'yesterday'],
  ['2026-01-0512', '2026-01-0512'],
])('addedOn(%j) is %j', (input, expected) => {
  expect(addedOn(input)).toBe(expected);
});
