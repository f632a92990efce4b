import { describe, expect, test } from 'vitest';
import type { CompareRow, Run } from './backend';
import { chartableMetrics, compareSections, defaultChartMetrics, deltaText, rowLabel, svgDataUrl } from './compare';

const row = (section: CompareRow['section'], key: string, differs: boolean): CompareRow => ({
  section,
  key,
  values: ['a', differs ? 'b' : 'a'],
  differs,
  deltas: [null, null],
});

test('rowLabel drops the section prefix', () => {
  expect(rowLabel({ section: 'param', key: 'params.lr' })).toBe('lr');
  expect(rowLabel({ section: 'metric', key: 'metrics.val/auc' })).toBe('val/auc');
  expect(rowLabel({ section: 'tag', key: 'tags.mlflow.user' })).toBe('mlflow.user');
  expect(rowLabel({ section: 'attribute', key: 'status' })).toBe('status');
});

describe('compareSections', () => {
  const rows = [
    row('attribute', 'project', false),
    row('attribute', 'status', true),
    row('metric', 'metrics.auc', true),
    row('param', 'params.lr', false),
    row('tag', 'tags.stage', false),
  ];

  test('all rows, sections in fixed order', () => {
    const s = compareSections(rows, false);
    expect(s.map((x) => [x.label, x.rows.length, x.hidden])).toEqual([
      ['Attributes', 2, 0],
      ['Parameters', 1, 0],
      ['Metrics', 1, 0],
      ['Tags', 1, 0],
    ]);
  });

  test('only differences: equal rows hidden and counted', () => {
    const s = compareSections(rows, true);
    expect(s.map((x) => [x.section, x.rows.map((r) => r.key), x.hidden])).toEqual([
      ['attribute', ['status'], 1],
      ['param', [], 1],
      ['metric', ['metrics.auc'], 0],
      ['tag', [], 1],
    ]);
  });

  test('sections with no rows at all are left out', () => {
    expect(compareSections([row('metric', 'metrics.a', false)], false).map((s) => s.section)).toEqual(['metric']);
  });
});

describe('chart metrics', () => {
  const run = (metrics: string[]) => ({ metrics: Object.fromEntries(metrics.map((m) => [m, 1])) }) as unknown as Run;

  test('shared metrics first, each group by name', () => {
    const runs = [run(['loss', 'auc', 'acc', 'e', 'd']), run(['auc', 'loss', 'f1', 'e', 'd'])];
    expect(chartableMetrics(runs)).toEqual({ shared: ['auc', 'd', 'e', 'loss'], others: ['acc', 'f1'] });
    expect(defaultChartMetrics(runs)).toEqual(['auc', 'd', 'e', 'loss']);
    expect(defaultChartMetrics(runs, 2)).toEqual(['auc', 'd']);
  });

  test('nothing shared: nothing charted by default', () => {
    expect(defaultChartMetrics([run(['a']), run(['b'])])).toEqual([]);
    expect(defaultChartMetrics([])).toEqual([]);
  });
});

test('svgDataUrl encodes the whole document', () => {
  const url = svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><text>a&b #1 100%</text></svg>');
  expect(url.startsWith('data:image/svg+xml;charset=utf-8,%3Csvg')).toBe(true);
  expect(url).not.toMatch(/[<>#"% ](?![0-9A-F]{2})/);
  expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toContain('a&b #1 100%');
});

test('deltaText signs the difference and its percentage, and says nothing without one', () => {
  expect(deltaText({ delta: 0.04, percent: 5 })).toEqual({ delta: '+0.04', percent: '+5.0%', sign: 1 });
  expect(deltaText({ delta: -0.5, percent: null })).toEqual({ delta: '−0.5', percent: null, sign: -1 });
  expect(deltaText({ delta: 0, percent: 0 })).toEqual({ delta: '0', percent: '0.0%', sign: 0 });
  expect(deltaText(null)).toBeNull();
});
