import { describe, expect, test } from 'vitest';
import type { Run } from './backend';
import {
  availableColumns,
  buildRows,
  cellValue,
  clickSelection,
  countShown,
  positions,
  selectedInOrder,
  compareValues,
  defaultColumns,
  isDeleted,
  nextSort,
  normalStatus,
  parseKeyColumn,
  parseStoredColumns,
  runLabel,
  serializeColumns,
  sortRuns,
  toggleColumn,
  type ColumnId,
  type Sort,
  type TableRow,
} from './runs';

function run(id: number, fields: Partial<Run> = {}): Run {
  return {
    id,
    project_id: 1,
    project: 'fraud',
    source: 'mlflow',
    run_id: `r${id}`,
    experiment_id: null,
    experiment: null,
    parent_run_id: null,
    name: `run-${id}`,
    status: 'FINISHED',
    lifecycle: 'active',
    path: null,
    user: null,
    start_time: null,
    end_time: null,
    start_ms: null,
    end_ms: null,
    params: {},
    tags: {},
    metrics: {},
    ...fields,
  };
}

const ids = (runs: Run[]) => runs.map((r) => r.id);

describe('parseKeyColumn', () => {
  test.each([
    ['metrics.auc', { kind: 'metrics', key: 'auc' }],
    ['metrics.val/auc', { kind: 'metrics', key: 'val/auc' }],
    ['params.model.depth', { kind: 'params', key: 'model.depth' }],
    ['tags.mlflow.runName', { kind: 'tags', key: 'mlflow.runName' }],
    ['name', null],
    ['metrics.', null],
    ['other.x', null],
    ['.x', null],
  ])('%j', (id, expected) => {
    expect(parseKeyColumn(id)).toEqual(expected);
  });
});

describe('compareValues', () => {
  test.each([
    [1, 2, -1],
    [2, 1, 1],
    [2, 2, 0],
    ['8', '16', -1], // numbers in text compare as numbers
    ['1e-3', '0.01', -1],
    [5, 'abc', -1], // numbers before text
    ['abc', 5, 1],
    ['run2', 'run10', -1], // text as people read it
    ['Adam', 'adam', 0],
    [NaN, 1, 1], // NaN after every number
    [1, NaN, -1],
    [NaN, NaN, 0],
    [-Infinity, -1e300, -1],
  ])('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareValues(a, b))).toBe(sign);
  });
});

describe('sortRuns', () => {
  const runs = [
    run(1, { metrics: { auc: 0.9 } }),
    run(2, { metrics: {} }), // missing
    run(3, { metrics: { auc: 'NaN' } }),
    run(4, { metrics: { auc: 0.7 } }),
    run(5, { metrics: { auc: 'Infinity' } }),
    run(6, { metrics: { auc: 0.9 } }),
  ];

  test('ascending: numbers in order, then NaN, then missing; ties by id', () => {
    expect(ids(sortRuns(runs, { column: 'metrics.auc', direction: 'asc' }))).toEqual([4, 1, 6, 5, 3, 2]);
  });

  test('descending keeps NaN and missing last', () => {
    expect(ids(sortRuns(runs, { column: 'metrics.auc', direction: 'desc' }))).toEqual([5, 1, 6, 4, 3, 2]);
  });

  test('params sort as numbers when they are numbers', () => {
    const p = [run(1, { params: { lr: '0.1' } }), run(2, { params: { lr: '0.01' } }), run(3, { params: { lr: '1e-4' } }), run(4)];
    expect(ids(sortRuns(p, { column: 'params.lr', direction: 'asc' }))).toEqual([3, 2, 1, 4]);
  });

  test('empty text counts as missing', () => {
    const p = [run(1, { params: { m: '' } }), run(2, { params: { m: 'b' } }), run(3, { params: { m: 'a' } })];
    expect(ids(sortRuns(p, { column: 'params.m', direction: 'desc' }))).toEqual([2, 3, 1]);
  });

  test('built-in columns: name, start, duration', () => {
    const r = [
      run(1, { name: 'run10', start_ms: 300, end_ms: 400 }),
      run(2, { name: 'run2', start_ms: 100, end_ms: 1000 }),
      run(3, { name: null, run_id: 'abc', start_time: null, end_time: null }),
    ];
    expect(ids(sortRuns(r, { column: 'name', direction: 'asc' }))).toEqual([3, 2, 1]);
    expect(ids(sortRuns(r, { column: 'start', direction: 'desc' }))).toEqual([1, 2, 3]);
    expect(ids(sortRuns(r, { column: 'duration', direction: 'asc' }))).toEqual([1, 2, 3]);
  });

  test('does not change its input', () => {
    const copy = [...runs];
    sortRuns(runs, { column: 'metrics.auc', direction: 'asc' });
    expect(runs).toEqual(copy);
  });
});

test('cellValue reads each kind of column', () => {
  const r = run(1, { metrics: { m: '-Infinity' }, params: { p: 'x' }, tags: { t: 'y' }, experiment: 'e' });
  expect(cellValue(r, 'metrics.m')).toBe(-Infinity);
  expect(cellValue(r, 'params.p')).toBe('x');
  expect(cellValue(r, 'tags.t')).toBe('y');
  expect(cellValue(r, 'tags.none')).toBeNull();
  expect(cellValue(r, 'experiment')).toBe('e');
});

test('nextSort flips the same column and starts another ascending', () => {
  const s: Sort = { column: 'start', direction: 'desc' };
  expect(nextSort(s, 'start')).toEqual({ column: 'start', direction: 'asc' });
  expect(nextSort(nextSort(s, 'start'), 'start')).toEqual(s);
  expect(nextSort(s, 'metrics.auc')).toEqual({ column: 'metrics.auc', direction: 'asc' });
});

describe('buildRows', () => {
  const runs = [
    run(1, { project: 'zeta', project_id: 2, experiment: 'a' }),
    run(2, { experiment: null }),
    run(3, { experiment: 'b' }),
    run(4, { experiment: 'A2' }),
    run(5, { experiment: 'b' }),
  ];
  const lines = (rows: TableRow[]) =>
    rows.map((r) => (r.kind === 'group' ? `# ${r.project} / ${r.experiment} (${r.count})` : r.run.id));

  test('groups by project then experiment, "(no experiment)" last, runs in the order given', () => {
    expect(lines(buildRows(runs, 'experiment', new Set()))).toEqual([
      '# fraud / A2 (1)',
      4,
      '# fraud / b (2)',
      3,
      5,
      '# fraud / (no experiment) (1)',
      2,
      '# zeta / a (1)',
      1,
    ]);
  });

  test('a collapsed group keeps its header and count, not its runs', () => {
    const rows = buildRows(runs, 'experiment', new Set(['p:1\u0000e:b']));
    expect(lines(rows)).toEqual(['# fraud / A2 (1)', 4, '# fraud / b (2)', '# fraud / (no experiment) (1)', 2, '# zeta / a (1)', 1]);
    expect(rows.find((r) => r.kind === 'group' && r.experiment === 'b')).toMatchObject({ collapsed: true });
  });

  test('by project only', () => {
    expect(lines(buildRows(runs, 'project', new Set()))).toEqual(['# fraud / null (4)', 2, 3, 4, 5, '# zeta / null (1)', 1]);
  });

  test('same experiment name in two projects makes two groups', () => {
    const r = [run(1, { experiment: 'x' }), run(2, { experiment: 'x', project_id: 2, project: 'other' })];
    expect(buildRows(r, 'experiment', new Set()).filter((row) => row.kind === 'group')).toHaveLength(2);
  });

  test('by any param or tag: values in natural order, runs without one last', () => {
    const r = [
      run(1, { params: { lr: '16' } }),
      run(2, { params: {} }),
      run(3, { params: { lr: '8' }, tags: { team: 'a' } }),
      run(4, { params: { lr: '16' }, tags: { team: 'a' } }),
    ];
    expect(lines(buildRows(r, 'params.lr', new Set()))).toEqual([
      '# lr = 8 / null (1)',
      3,
      '# lr = 16 / null (2)',
      1,
      4,
      '# lr = (none) / null (1)',
      2,
    ]);
    expect(lines(buildRows(r, 'tags.team', new Set(['tags.team\u0000a'])))).toEqual(['# team = a / null (2)', '# team = (none) / null (2)', 1, 2]);
  });

  test('no grouping: the runs alone', () => {
    expect(lines(buildRows(runs, 'none', new Set(['p:1\u0000e:b'])))).toEqual([1, 2, 3, 4, 5]);
  });

  test('no runs, no rows', () => {
    expect(buildRows([], 'experiment', new Set())).toEqual([]);
  });
});

describe('column chooser', () => {
  test('defaults: the four metrics most runs have, ties by name', () => {
    const runs = [
      run(1, { metrics: { loss: 1, auc: 1, f1: 1, zeta: 1, acc: 1 } }),
      run(2, { metrics: { loss: 1, auc: 1, f1: 1 } }),
      run(3, { metrics: { loss: 1, auc: 1 } }),
      run(4, { metrics: { loss: 1 } }),
    ];
    expect(defaultColumns(runs)).toEqual(['metrics.loss', 'metrics.auc', 'metrics.f1', 'metrics.acc']);
    expect(defaultColumns([])).toEqual([]);
    expect(defaultColumns(runs, 2)).toEqual(['metrics.loss', 'metrics.auc']);
  });

  test('the stored choice round-trips; unreadable or odd entries are dropped', () => {
    const chosen: ColumnId[] = ['metrics.val/auc', 'params.lr', 'tags.stage'];
    expect(parseStoredColumns(serializeColumns(chosen))).toEqual(chosen);
    expect(parseStoredColumns(null)).toBeNull();
    expect(parseStoredColumns('not json')).toBeNull();
    expect(parseStoredColumns('{"a":1}')).toBeNull();
    expect(parseStoredColumns('["metrics.a", 3, "name", "metrics.a", "params.b"]')).toEqual(['metrics.a', 'params.b']);
    expect(parseStoredColumns('[]')).toEqual([]);
  });

  test('only the chosen columns the runs can fill are shown', () => {
    const keys = { metric_keys: ['auc'], param_keys: ['lr'], tag_keys: [] };
    expect(availableColumns(['metrics.auc', 'metrics.gone', 'params.lr', 'tags.lr'], keys)).toEqual(['metrics.auc', 'params.lr']);
  });

  test('toggleColumn adds at the end and removes in place', () => {
    expect(toggleColumn(['metrics.a', 'metrics.b'], 'params.c')).toEqual(['metrics.a', 'metrics.b', 'params.c']);
    expect(toggleColumn(['metrics.a', 'metrics.b', 'params.c'], 'metrics.b')).toEqual(['metrics.a', 'params.c']);
  });
});

describe('clickSelection', () => {
  const order = [10, 20, 30, 40, 50];
  const sel = (s: Set<number>) => [...s].sort((a, b) => a - b);

  test('a click toggles and moves the anchor', () => {
    let state = clickSelection(new Set(), order, null, 20, false);
    expect(sel(state.selected)).toEqual([20]);
    expect(state.anchor).toBe(20);
    state = clickSelection(state.selected, order, state.anchor, 20, false);
    expect(sel(state.selected)).toEqual([]);
  });

  test('shift-click selects the range from the anchor, either way, keeping the rest', () => {
    expect(sel(clickSelection(new Set([20]), order, 20, 40, true).selected)).toEqual([20, 30, 40]);
    expect(sel(clickSelection(new Set([40, 10]), order, 40, 20, true).selected)).toEqual([10, 20, 30, 40]);
    expect(clickSelection(new Set([20]), order, 20, 40, true).anchor).toBe(20);
  });

  test('shift-click with no anchor, or an anchor no longer shown, is a plain click', () => {
    expect(sel(clickSelection(new Set(), order, null, 30, true).selected)).toEqual([30]);
    expect(sel(clickSelection(new Set([99]), order, 99, 30, true).selected)).toEqual([30, 99]);
  });
});

describe('selection counts', () => {
  test('selectedInOrder keeps the list order, not the click order, and drops ids not in the list', () => {
    const position = positions([30, 10, 20, 40]);
    expect(selectedInOrder(new Set([20, 99, 30]), position)).toEqual([30, 20]);
    expect(selectedInOrder(new Set(), position)).toEqual([]);
  });

  test('countShown counts the selected runs among those shown', () => {
    expect(countShown(new Set([1, 2, 7]), new Set([1, 2, 3]))).toBe(2);
    expect(countShown(new Set(), new Set([1]))).toBe(0);
    expect(countShown(new Set([5]), new Set())).toBe(0);
  });

  test('positions maps each id to its index', () => {
    expect([...positions([7, 3, 9])]).toEqual([
      [7, 0],
      [3, 1],
      [9, 2],
    ]);
  });
});

test('status and lifecycle helpers', () => {
  expect(normalStatus('running')).toBe('RUNNING');
  expect(normalStatus(null)).toBe('');
  expect(isDeleted({ lifecycle: 'Deleted' })).toBe(true);
  expect(isDeleted({ lifecycle: null })).toBe(false);
  expect(runLabel({ name: '  ', run_id: 'abc' })).toBe('abc');
  expect(runLabel({ name: 'gbm', run_id: 'abc' })).toBe('gbm');
});
