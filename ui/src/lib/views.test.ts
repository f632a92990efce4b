import { expect, test } from 'vitest';
import { VIEWS, placeLabel, startPlace, viewById } from './views';

test('the sidebar lists the six views in order, Projects first', () => {
  expect(VIEWS.map((v) => v.id)).toEqual([
    'projects',
    'runs',
    'charts',
    'datasets',
    'compare',
    'fairness',
    'models',
  ]);
});

test('Projects, Runs, Datasets, Compare, Fairness and Models work; every other view says what it holds and when it arrives', () => {
  const working = ['projects', 'runs', 'charts', 'datasets', 'compare', 'fairness', 'models'];
  for (const view of VIEWS) {
    if (working.includes(view.id)) {
      expect(view.upcoming).toBeNull();
    } else {
      expect(view.upcoming?.summary.length).toBeGreaterThan(40);
      expect(['indexing', 'drift checks', 'fairness checks', 'publishing']).toContain(
        view.upcoming?.arrivesWith,
      );
    }
  }
});

test('viewById finds each view', () => {
  for (const view of VIEWS) expect(viewById(view.id)).toBe(view);
});

test('placeLabel names the views, Problems and Settings', () => {
  expect(VIEWS.map((v) => placeLabel(v.id))).toEqual(['Projects', 'Runs', 'Charts', 'Datasets', 'Compare', 'Fairness', 'Models']);
  expect(placeLabel('problems')).toBe('Problems');
  expect(placeLabel('settings')).toBe('Settings');
});

test('the app opens on Runs when the catalog has a project, else on Projects', () => {
  expect(startPlace(0)).toBe('projects');
  expect(startPlace(1)).toBe('runs');
  expect(startPlace(40)).toBe('runs');
});
