import { expect, test } from 'vitest';
import { DEFAULT_VIEW, chartRequest, matchKeys, moveKey, orderKeys, parseSmoothing, smoothingText } from './charts';

test('smoothing is spelled as the engine reads it, clamped to its range', () => {
  expect(smoothingText({ smoothing: 'none', smoothingValue: 3 })).toBe('none');
  expect(smoothingText({ smoothing: 'ema', smoothingValue: 0.6 })).toBe('ema:0.6');
  expect(smoothingText({ smoothing: 'ema', smoothingValue: 4 })).toBe('ema:0.99');
  expect(smoothingText({ smoothing: 'mean', smoothingValue: 4.6 })).toBe('mean:5');
  expect(parseSmoothing('gauss:2.5')).toEqual({ smoothing: 'gauss', smoothingValue: 2.5 });
  expect(parseSmoothing('box:3')).toEqual({ smoothing: 'none', smoothingValue: 0 });
  expect(parseSmoothing('ema')).toEqual({ smoothing: 'none', smoothingValue: 0 });
});

test('a chart request carries the view', () => {
  expect(chartRequest([1, 2], 'loss', { ...DEFAULT_VIEW, groupBy: 'params.lr' })).toEqual({
    run_ids: [1, 2],
    key: 'loss',
    x: 'step',
    smoothing: 'none',
    group_by: 'params.lr',
    center: 'mean',
    band: 'std',
  });
});

test('metric search takes text or a /regex/, and says when the regex is broken', () => {
  const keys = ['train/loss', 'val/loss', 'val/acc', 'lr'];
  expect(matchKeys(keys, 'LOSS').keys).toEqual(['train/loss', 'val/loss']);
  expect(matchKeys(keys, '/^val\\//').keys).toEqual(['val/loss', 'val/acc']);
  expect(matchKeys(keys, '/ACC$/i').keys).toEqual(['val/acc']);
  expect(matchKeys(keys, '/(/').error).toMatch(/regular expression/);
  expect(matchKeys(keys, ' ').keys).toEqual(keys);
});

test('pinned metrics come first; moving swaps neighbours', () => {
  expect(orderKeys(['a', 'b', 'c', 'd'], ['c', 'x', 'a'])).toEqual(['c', 'a', 'b', 'd']);
  expect(moveKey(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c']);
  expect(moveKey(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c']);
});
