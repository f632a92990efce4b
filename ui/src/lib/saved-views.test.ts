import { expect, test } from 'vitest';
import type { SavedView } from './backend';
import { DEFAULT_VIEW } from './charts';
import { parseSort, sortText, specOf, stateOf } from './saved-views';

test('table sorts become view sorts and back; duration cannot be saved', () => {
  expect(sortText({ column: 'start', direction: 'desc' })).toBe('start_time:desc');
  expect(sortText({ column: 'metrics.val/auc', direction: 'asc' })).toBe('metrics.val/auc:asc');
  expect(sortText({ column: 'duration', direction: 'asc' })).toBeNull();
  expect(parseSort('start_time:desc')).toEqual({ column: 'start', direction: 'desc' });
  expect(parseSort('params.lr')).toEqual({ column: 'params.lr', direction: 'asc' });
  expect(parseSort('speed:desc')).toEqual({ column: 'start', direction: 'desc' });
  expect(parseSort(null)).toEqual({ column: 'start', direction: 'desc' });
});

test('a view round-trips through the engine spec', () => {
  const state = {
    projectId: 3,
    filter: ' metrics.rmse < 1 ',
    sort: { column: 'metrics.rmse' as const, direction: 'asc' as const },
    columns: ['name' as const, 'metrics.rmse' as const, 'params.lr' as const],
    chartView: { ...DEFAULT_VIEW, x: 'time', smoothing: 'ema' as const, smoothingValue: 0.6, groupBy: 'params.optimizer', band: 'minmax', logY: true },
    metrics: ['loss', 'val/loss'],
  };
  const spec = specOf(state);
  expect(spec).toEqual({
    project: 3,
    filter: 'metrics.rmse < 1',
    sort: 'metrics.rmse:asc',
    columns: ['metrics.rmse', 'params.lr'],
    group_by: 'params.optimizer',
    charts: {
      metrics: ['loss', 'val/loss'],
      x: 'time',
      smoothing: 'ema:0.6',
      log_y: true,
      ignore_outliers: false,
      center: 'mean',
      band: 'minmax',
    },
  });
  const saved: SavedView = { name: 'best', spec, created_ms: 0, updated_ms: 0 };
  const back = stateOf(saved);
  expect(back.filter).toBe('metrics.rmse < 1');
  expect(back.chartView).toEqual(state.chartView);
  expect(back.metrics).toEqual(['loss', 'val/loss']);
  expect(stateOf({ name: 'empty', spec: {}, created_ms: 0, updated_ms: 0 }).chartView).toEqual(DEFAULT_VIEW);
});
