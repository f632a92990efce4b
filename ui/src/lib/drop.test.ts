import { describe, expect, test } from 'vitest';
import { DROP_DATASET, DROP_FAIRNESS, DROP_SLOT, NO_TARGETS, dropHint, dropTargetsAt, routeDrop, type PointLookup } from './drop';

/**
 * A stand-in for the DOM: elements with attributes and a parent, enough for
 * `closest('[attr]')` and `getAttribute`.
 */
function element(attributes: Record<string, string>, parent: Element | null = null): Element {
  const self = {
    getAttribute: (name: string) => attributes[name] ?? null,
    closest: (selector: string): Element | null => {
      const name = selector.slice(1, -1);
      return name in attributes ? (self as unknown as Element) : (parent?.closest(selector) ?? null);
    },
  };
  return self as unknown as Element;
}

function lookup(at: Element | null): PointLookup & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  return {
    asked,
    elementFromPoint: (x, y) => {
      asked.push([x, y]);
      return at;
    },
  };
}

describe('dropTargetsAt', () => {
  test('finds the dataset of the row a cell belongs to', () => {
    const row = element({ [DROP_DATASET]: '/home/ana/work/fraud/data/train.csv' });
    const cell = element({}, row);
    const doc = lookup(cell);
    expect(dropTargetsAt({ x: 12.5, y: 40 }, doc)).toEqual({
      dataset: '/home/ana/work/fraud/data/train.csv',
      slot: null,
      fairness: null,
    });
    expect(doc.asked).toEqual([[12.5, 40]]);
  });

  test('finds a Compare slot', () => {
    expect(dropTargetsAt({ x: 1, y: 1 }, lookup(element({}, element({ [DROP_SLOT]: 'current' }))))).toEqual({
      dataset: null,
      slot: 'current',
      fairness: null,
    });
  });

  test('finds a Fairness file field', () => {
    expect(dropTargetsAt({ x: 1, y: 1 }, lookup(element({}, element({ [DROP_FAIRNESS]: 'baseline' }))))).toEqual({
      dataset: null,
      slot: null,
      fairness: 'baseline',
    });
  });

  test('nothing under the point, nothing marked, or a bad mark: no target', () => {
    expect(dropTargetsAt({ x: 1, y: 1 }, lookup(null))).toEqual(NO_TARGETS);
    expect(dropTargetsAt({ x: 1, y: 1 }, lookup(element({})))).toEqual(NO_TARGETS);
    expect(dropTargetsAt({ x: 1, y: 1 }, lookup(element({ [DROP_SLOT]: 'left', [DROP_DATASET]: '', [DROP_FAIRNESS]: 'x' })))).toEqual(
      NO_TARGETS,
    );
  });
});

describe('routeDrop', () => {
  const dataset = { dataset: '/p/data/train.csv', slot: null, fairness: null };
  test.each([
    ['projects', ['/data/a'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a'] }],
    ['runs', ['/data/a', '/data/b'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a', '/data/b'] }],
    ['compare', ['/r.csv', '/c.csv'], NO_TARGETS, { kind: 'compare-files', paths: ['/r.csv', '/c.csv'], slot: null }],
    ['compare', ['/c.csv'], { dataset: null, slot: 'current', fairness: null }, { kind: 'compare-files', paths: ['/c.csv'], slot: 'current' }],
    ['fairness', ['/p.csv'], NO_TARGETS, { kind: 'fairness-file', path: '/p.csv', slot: 'predictions', ignored: 0 }],
    ['fairness', ['/old.csv', '/x.csv'], { dataset: null, slot: null, fairness: 'baseline' }, { kind: 'fairness-file', path: '/old.csv', slot: 'baseline', ignored: 1 }],
    ['datasets', ['/new.csv', '/other.csv'], dataset, { kind: 'compare-with-dataset', reference: '/p/data/train.csv', current: '/new.csv' }],
    ['datasets', ['/data/folder'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/folder'] }],
    ['models', ['/data/a'], dataset, { kind: 'add-projects', paths: ['/data/a'] }],
    ['settings', ['/data/a'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a'] }],
    ['problems', ['/data/a'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a'] }],
    // Before the start place is known, a drop still adds the folder.
    [null, ['/data/a'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a'] }],
    // A folder (no data file in the drop) adds a project on every view...
    ['compare', ['/data/sensor-logs'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/sensor-logs'] }],
    ['fairness', ['/data/a', '/data/b'], NO_TARGETS, { kind: 'add-projects', paths: ['/data/a', '/data/b'] }],
    ['datasets', ['/data/sensor-logs'], dataset, { kind: 'add-projects', paths: ['/data/sensor-logs'] }],
    // ...but a file slot or field answers for what lands on it (it says what is wrong).
    ['compare', ['/home/ana/notes.txt'], { dataset: null, slot: 'current', fairness: null }, { kind: 'compare-files', paths: ['/home/ana/notes.txt'], slot: 'current' }],
    ['fairness', ['/data/a'], { dataset: null, slot: null, fairness: 'predictions' }, { kind: 'fairness-file', path: '/data/a', slot: 'predictions', ignored: 0 }],
    // A data file among other paths is what a data view takes.
    ['compare', ['/data/a', '/r.parquet'], NO_TARGETS, { kind: 'compare-files', paths: ['/data/a', '/r.parquet'], slot: null }],
    ['datasets', ['/data/notes', '/new.CSV'], dataset, { kind: 'compare-with-dataset', reference: '/p/data/train.csv', current: '/new.CSV' }],
  ] as const)('on %s, %j over %j', (view, paths, targets, expected) => {
    expect(routeDrop(view, paths, targets)).toEqual(expected);
  });

  test('an empty drop does nothing', () => {
    expect(routeDrop('compare', [], NO_TARGETS)).toBeNull();
  });
});

test('dropHint: a veil where a drop adds projects, a hint where the view takes it', () => {
  expect(dropHint('projects', NO_TARGETS)).toEqual({ full: true, message: 'Drop a folder to add it as a project' });
  expect(dropHint('runs', NO_TARGETS).full).toBe(true);
  expect(dropHint('compare', NO_TARGETS).full).toBe(false);
  expect(dropHint('compare', { dataset: null, slot: 'reference', fairness: null }).message).toBe('Drop to use as the reference file');
  expect(dropHint('compare', NO_TARGETS).message).toMatch(/a folder adds a project/);
  expect(dropHint('fairness', NO_TARGETS)).toEqual({ full: false, message: 'Drop a file of predictions to check its fairness; a folder adds a project' });
  expect(dropHint('fairness', { dataset: null, slot: null, fairness: 'predictions' }).message).toBe('Drop a file of predictions to check its fairness');
  expect(dropHint('settings', NO_TARGETS)).toEqual({ full: true, message: 'Drop a folder to add it as a project' });
  expect(dropHint(null, NO_TARGETS).full).toBe(true);
  expect(dropHint('fairness', { dataset: null, slot: null, fairness: 'baseline' }).message).toBe('Drop to compare with this earlier file');
  expect(dropHint('datasets', { dataset: '/p/data/train.csv', slot: null, fairness: null })).toEqual({
    full: false,
    message: 'Drop to compare a file with train.csv',
  });
});
