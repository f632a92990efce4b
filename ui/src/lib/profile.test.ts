import { describe, expect, test } from 'vitest';
import { distinctIsApprox, histogramBars, histogramOf, nullCells, profileStats, topValues } from './profile';

const NUMERIC = {
  count: 990,
  nan: 2,
  inf: 0,
  distinct_approx: 800,
  min: 0.5,
  max: 950.25,
  mean: 120.3,
  std: null,
  quantiles: { p01: 1, p50: 100 },
  quantiles_exact: true,
  histogram: { edges: [0, 1, 2, 3], counts: [4, 0, 2] },
};

describe('profileStats', () => {
  test('numbers: what is there, in reading order; null and zero counts left out', () => {
    expect(profileStats(NUMERIC)).toEqual([
      { label: 'min', value: 0.5 },
      { label: 'mean', value: 120.3 },
      { label: 'max', value: 950.25 },
      { label: 'median', value: 100 },
      { label: 'distinct', value: 800 },
      { label: 'NaN', value: 2 },
    ]);
    expect(distinctIsApprox(NUMERIC)).toBe(true);
  });

  test('categories count their distinct values exactly', () => {
    const p = { count: 10, cardinality: 3, top: [], other: 0 };
    expect(profileStats(p)).toEqual([{ label: 'distinct', value: 3 }]);
    expect(distinctIsApprox(p)).toBe(false);
  });

  test('dates show their range as text', () => {
    expect(profileStats({ count: 3, min: '2026-01-01', max: '2026-02-01' })).toEqual([
      { label: 'min', value: '2026-01-01' },
      { label: 'max', value: '2026-02-01' },
    ]);
  });

  test.each([null, undefined, 42, 'x', [], { mean: 'NaN', std: {}, quantiles: 3 }])('nothing readable in %j', (p) => {
    expect(profileStats(p)).toEqual([]);
  });
});

describe('histogramOf', () => {
  test('a well-formed histogram', () => {
    expect(histogramOf(NUMERIC)).toEqual({ edges: [0, 1, 2, 3], counts: [4, 0, 2] });
    expect(histogramOf({ histogram: { edges: [5, 5], counts: [7] } })).toEqual({ edges: [5, 5], counts: [7] });
  });

  test.each([
    ['none', {}],
    ['null', { histogram: null }],
    ['edges and counts do not match', { histogram: { edges: [1], counts: [1, 2] } }],
    ['no bins', { histogram: { edges: [1], counts: [] } }],
    ['a null edge (non-finite in the engine)', { histogram: { edges: [0, null], counts: [1] } }],
    ['a negative count', { histogram: { edges: [0, 1], counts: [-1] } }],
    ['not arrays', { histogram: { edges: 'x', counts: 3 } }],
  ])('%s -> null', (_name, p) => {
    expect(histogramOf(p)).toBeNull();
  });
});

test('histogramBars: bins side by side, heights relative to the tallest, empty bins flat', () => {
  const bars = histogramBars({ edges: [0, 1, 2, 3, 4], counts: [10, 5, 0, 1] }, 100, 40);
  expect(bars.map((b) => b.x)).toEqual([0, 25, 50, 75]);
  expect(bars.map((b) => b.width)).toEqual([24, 24, 24, 24]);
  expect(bars.map((b) => b.height)).toEqual([40, 20, 0, 4]);
  expect(bars.map((b) => b.y)).toEqual([0, 20, 40, 36]);
  expect(bars[1]).toMatchObject({ from: 1, to: 2, count: 5 });
  // A tiny non-empty bin stays visible.
  expect(histogramBars({ edges: [0, 1, 2], counts: [1000, 1] }, 10, 40)[1].height).toBe(1);
  // All empty: all flat.
  expect(histogramBars({ edges: [0, 1], counts: [0] }, 10, 40)[0].height).toBe(0);
});

describe('topValues', () => {
  test('values with their share of the non-null values, and what is left', () => {
    const p = { count: 100, cardinality: 5, top: [{ value: 'a', count: 50 }, { value: 'b', count: 30 }, { value: 'c', count: 10 }], other: 10 };
    expect(topValues(p, 2)).toEqual({
      values: [
        { value: 'a', count: 50, share: 0.5 },
        { value: 'b', count: 30, share: 0.3 },
      ],
      more: 1,
      other: 20,
    });
  });

  test('odd entries are skipped; a null value reads as empty; no count means the sum', () => {
    const p = { top: [{ value: null, count: 1 }, { value: 'x' }, 'junk', { value: 7, count: 3 }] };
    expect(topValues(p)).toEqual({
      values: [
        { value: '', count: 1, share: 0.25 },
        { value: '7', count: 3, share: 0.75 },
      ],
      more: 0,
      other: 0,
    });
    expect(topValues(null)).toEqual({ values: [], more: 0, other: 0 });
  });
});

test('nullCells', () => {
  expect(nullCells({ rows: 10, schema: [{ nulls: 1 }, { nulls: 4 }] })).toEqual({ nulls: 5, cells: 20 });
  expect(nullCells({ rows: null, schema: [{ nulls: 3 }] })).toEqual({ nulls: 3, cells: null });
});
