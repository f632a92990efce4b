import { expect, test } from 'vitest';
import type { SweepAxis } from './backend';
import { axisLabel, brushed, metricColor, position, ticks, valueAt } from './sweep';

const lr: SweepAxis = { key: 'params.lr', kind: 'numeric', values: [0.1, 0.3, null, 0.2], categories: [], min: 0.1, max: 0.3 };
const opt: SweepAxis = { key: 'params.opt', kind: 'categorical', values: [0, 1, 1, 0], categories: ['adam', 'sgd'], min: 0, max: 1 };

test('position and valueAt are inverses; an axis of one value sits in the middle', () => {
  expect(position(lr, 0.2)).toBeCloseTo(0.5);
  expect(valueAt(lr, position(lr, 0.25))).toBeCloseTo(0.25);
  expect(position({ ...lr, min: 1, max: 1 }, 1)).toBe(0.5);
});

test('brushes keep the runs inside every one; a run without a value on a brushed axis is out', () => {
  expect(brushed([lr, opt], {}, 4)).toEqual([0, 1, 2, 3]);
  expect(brushed([lr, opt], { 'params.lr': { lo: 0.15, hi: 0.35 } }, 4)).toEqual([1, 3]);
  expect(brushed([lr, opt], { 'params.lr': { lo: 0.15, hi: 0.35 }, 'params.opt': { lo: -0.5, hi: 0.5 } }, 4)).toEqual([3]);
});

test('labels and ticks read as the axis kind', () => {
  expect(axisLabel(opt, 1)).toBe('sgd');
  expect(axisLabel(lr, 0.123456)).toBe('0.1235');
  expect(axisLabel(lr, null)).toBe('—');
  expect(ticks(opt)).toEqual([0, 1]);
  expect(ticks(lr)).toEqual([0.1, 0.3]);
});

test('metric colours run from blue to orange', () => {
  expect(metricColor(0)).toBe('rgb(0, 114, 178)');
  expect(metricColor(1)).toBe('rgb(230, 159, 0)');
  expect(metricColor(Number.NaN)).toBe('rgb(150, 150, 150)');
});
